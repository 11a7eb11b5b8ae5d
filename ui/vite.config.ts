import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// Tauri serves `dist/` from a custom protocol, so asset paths are relative and no dev server is needed
// for the app binary (src-tauri/tauri.conf.json: frontendDist = ../ui/dist).
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  base: './',
  clearScreen: false,
  build: {
    target: 'safari15', // WebKitGTK 2.40+ / WKWebView: modern but not bleeding-edge syntax
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
    globals: true,
  },
});

// The one place that talks to Tauri. Every command rejects with `{code, message}` (see
// src-tauri/src/error.rs); `call` turns that into an `ApiError` the screens can switch on.
import { invoke } from '@tauri-apps/api/core';

export class ApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

function toApiError(raw: unknown): ApiError {
  if (raw instanceof ApiError) return raw;
  if (raw && typeof raw === 'object' && 'code' in raw) {
    const r = raw as { code: unknown; message?: unknown };
    return new ApiError(String(r.code), String(r.message ?? r.code));
  }
  return new ApiError('internal', raw instanceof Error ? raw.message : String(raw));
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

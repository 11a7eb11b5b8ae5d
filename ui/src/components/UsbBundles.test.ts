import { fireEvent, render, screen } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import UsbBundles from './UsbBundles.svelte';
import { setLanguage } from '../lib/i18n.svelte';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
const mocked = vi.mocked(invoke);

beforeEach(() => {
  mocked.mockReset();
});
afterEach(() => setLanguage('en'));

it('saves to the file given and says how many households went', async () => {
  mocked.mockImplementation(async (cmd) => {
    if (cmd === 'save_bundle') return { path: '/media/usb/t.shumari', households: 3, bytes: 2048 };
    throw new Error(`unexpected ${cmd}`);
  });
  render(UsbBundles);
  const save = screen.getByRole('button', { name: 'Save to USB' }) as HTMLButtonElement;
  expect(save.disabled).toBe(true);
  await fireEvent.input(screen.getByTestId('usb-save-path'), { target: { value: '/media/usb/t.shumari' } });
  await fireEvent.click(save);
  expect((await screen.findByTestId('usb-saved')).textContent).toContain('3 households written to');
  expect(mocked).toHaveBeenCalledWith('save_bundle', { path: '/media/usb/t.shumari', all: false });
});

it('loads the registry file and reports what arrived', async () => {
  mocked.mockImplementation(async (cmd) => {
    if (cmd === 'load_bundle') return { received: 5, removed: 0, acknowledged: 2, refused: 0 };
    throw new Error(`unexpected ${cmd}`);
  });
  render(UsbBundles);
  await fireEvent.input(screen.getByTestId('usb-load-path'), { target: { value: '/media/usb/back.shumari' } });
  await fireEvent.click(screen.getByRole('button', { name: 'Load from USB' }));
  expect((await screen.findByTestId('usb-loaded')).textContent).toContain('5 households received');
  expect(mocked).toHaveBeenCalledWith('load_bundle', { path: '/media/usb/back.shumari' });
});

it('says in plain words, in Urdu too, that an altered file was refused', async () => {
  setLanguage('ur');
  mocked.mockRejectedValue({ code: 'tampered', message: 'the bundle was tampered with' });
  render(UsbBundles);
  await fireEvent.input(screen.getByTestId('usb-load-path'), { target: { value: '/media/usb/x.shumari' } });
  await fireEvent.click(screen.getByRole('button', { name: 'یو ایس بی سے لوڈ کریں' }));
  expect((await screen.findByRole('alert')).textContent).toContain('قابلِ اعتماد نہیں');
});

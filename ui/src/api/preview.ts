// "Try a form": a form file checked by the engine and filled in memory (crates/app/src/form_preview.rs).
import { call } from './core';
import type { AnswerValue, PreviewOpened, PreviewState } from './types';

/** A file picked with the form (a CSV for `pulldata()` or a `_from_file` select, an image). */
export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

/** Opens a form file (its name and bytes) with the files that travel with it; a form that does not
 * load comes back with its errors. */
export const openPreview = (name: string, bytes: Uint8Array, attachments: PickedFile[] = []) =>
  call<PreviewOpened>('open_preview', {
    file: {
      name,
      bytes: Array.from(bytes),
      attachments: attachments.map((a) => ({ name: a.name, bytes: Array.from(a.bytes) })),
    },
  });

/** Sets one answer (`row`: the repeat row it is in) and returns the form evaluated again. */
export const previewAnswer = (field: string, value: AnswerValue, row: string | null = null) =>
  call<PreviewState>('preview_answer', { field, row, value });

export const previewAddRow = (repeat: string) => call<PreviewState>('preview_add_row', { repeat });

export const previewRemoveRow = (repeat: string, row: string) =>
  call<PreviewState>('preview_remove_row', { repeat, row });

export const closePreview = () => call<void>('close_preview');

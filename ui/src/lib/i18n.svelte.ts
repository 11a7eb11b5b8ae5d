// Translations: every visible string comes from en.json / ur.json. The language is reactive state, so
// any template calling `t()` re-renders when it changes, and `applyDocumentLanguage` flips the whole
// layout to right-to-left for Urdu (the CSS uses logical properties, so it mirrors by itself).
import en from '../i18n/en.json';
import ur from '../i18n/ur.json';
import type { Lang, Text } from '../api/types';

type Catalog = Record<string, string>;
const catalogs: Record<Lang, Catalog> = { en, ur };

export const i18n = $state({ lang: 'en' as Lang });

export function setLanguage(lang: Lang): void {
  i18n.lang = lang;
  applyDocumentLanguage(lang);
}

export function applyDocumentLanguage(lang: Lang): void {
  if (typeof document === 'undefined') return;
  const root = document.documentElement;
  root.lang = lang;
  root.dir = lang === 'ur' ? 'rtl' : 'ltr';
}

/** Translate `key`, replacing `{name}` placeholders. A missing key shows itself, so gaps are visible in tests. */
export function t(key: string, params: Record<string, string | number> = {}): string {
  const text = catalogs[i18n.lang][key] ?? catalogs.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) =>
    name in params ? String(params[name]) : `{${name}}`,
  );
}

/** Pick the current language from a questionnaire text. */
export function tx(text: Text | null | undefined): string {
  if (!text) return '';
  return text[i18n.lang] || text.en;
}

/** Message for an API error code, falling back to the server's words. */
export function errorText(code: string, message: string): string {
  const key = `error.${code}`;
  const translated = t(key);
  return translated === key ? t('common.error', { message }) : translated;
}

export function keys(lang: Lang): string[] {
  return Object.keys(catalogs[lang]);
}

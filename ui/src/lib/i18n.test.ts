import en from '../i18n/en.json';
import ur from '../i18n/ur.json';
import { errorText, setLanguage, t, tx } from './i18n.svelte';

afterEach(() => setLanguage('en'));

it('has the same keys in English and Urdu, none empty', () => {
  expect(Object.keys(ur).sort()).toEqual(Object.keys(en).sort());
  for (const v of [...Object.values(en), ...Object.values(ur)]) expect(v.trim()).not.toBe('');
});

it('Urdu strings are written in Urdu script', () => {
  const arabicScript = /[\u0600-\u06FF]/;
  const latinOnly = Object.entries(ur).filter(([k, v]) => !arabicScript.test(v) && k !== 'cnic.placeholder');
  expect(latinOnly).toEqual([]);
});

it('switching to Urdu mirrors the document and translates', () => {
  setLanguage('ur');
  expect(document.documentElement.dir).toBe('rtl');
  expect(document.documentElement.lang).toBe('ur');
  expect(t('nav.home')).toBe(ur['nav.home']);
  expect(tx({ en: 'Yes', ur: 'ہاں' })).toBe('ہاں');
  setLanguage('en');
  expect(document.documentElement.dir).toBe('ltr');
});

it('fills placeholders and maps error codes', () => {
  expect(t('households.count', { count: 3 })).toBe('3 households');
  expect(errorText('wrong_pin', 'x')).toBe(en['error.wrong_pin']);
  expect(errorText('weird', 'boom')).toBe('Something went wrong: boom');
});

// Test data shaped like the app core's answers.
import type { FormDef, Interview } from '../api/types';

export const form: FormDef = {
  id: 'household',
  version: 'test',
  sections: [
    {
      id: 'dwelling',
      label: { en: 'Dwelling', ur: 'رہائش' },
      repeat: false,
      questions: [
        { name: 'has_toilet', kind: 'select_one', label: { en: 'Has toilet?', ur: 'بیت الخلا ہے؟' }, required: true,
          choices: [{ value: 'yes', label: { en: 'Yes', ur: 'ہاں' } }, { value: 'no', label: { en: 'No', ur: 'نہیں' } }] },
        { name: 'toilet_type', kind: 'text', label: { en: 'Toilet type', ur: 'بیت الخلا کی قسم' }, required: false },
      ],
    },
    {
      id: 'members',
      label: { en: 'Members', ur: 'افراد' },
      repeat: true,
      questions: [
        { name: 'name', kind: 'text', label: { en: 'Name', ur: 'نام' }, required: true },
        { name: 'cnic', kind: 'cnic', label: { en: 'CNIC', ur: 'شناختی کارڈ' }, required: false },
      ],
    },
  ],
};

export function interview(over: Partial<Interview> = {}): Interview {
  return {
    householdId: 'h1',
    reference: 'SHM-0001',
    headName: '',
    areaCode: 'PK0101',
    status: 'draft',
    answers: {},
    members: [],
    visible: ['has_toilet'],
    issues: [],
    pmt: null,
    updatedAt: '2026-11-23T10:00:00Z',
    ...over,
  };
}

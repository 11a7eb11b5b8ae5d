// Test data shaped like the app core's answers (a small cut of the NSER questionnaire).
import type { FormDef, Interview } from '../api/types';

const yesNo = [
  { value: 'yes', label: { en: 'Yes', ur: 'ہاں' } },
  { value: 'no', label: { en: 'No', ur: 'نہیں' } },
];

export const form: FormDef = {
  id: 'nser-household',
  version: 'test',
  title: null,
  sections: [
    {
      id: 'identification',
      label: { en: 'Identification', ur: 'شناخت' },
      repeat: false,
      questions: [
        { name: 'area', kind: 'text', label: { en: 'Area code', ur: 'علاقے کا کوڈ' }, required: true, readOnly: true },
        { name: 'consent', kind: 'acknowledge', label: { en: 'The respondent agreed', ur: 'جواب دہندہ نے رضامندی دی' }, required: true },
      ],
    },
    {
      id: 'utilities',
      label: { en: 'Utilities', ur: 'سہولیات' },
      repeat: false,
      questions: [
        { name: 'electricity', kind: 'select_one', label: { en: 'Electricity?', ur: 'بجلی؟' }, required: true, choices: yesNo },
        { name: 'electricity_bill', kind: 'integer', label: { en: 'Electricity bill', ur: 'بجلی کا بل' }, required: false },
      ],
    },
    {
      id: 'household_size',
      label: null,
      repeat: false,
      questions: [
        { name: 'household_size', kind: 'calculate', label: { en: 'household_size', ur: 'household_size' }, required: false },
        { name: 'roster_note', kind: 'note', label: { en: 'Add the head first.', ur: 'پہلے سربراہ کا اندراج کریں۔' }, required: false },
      ],
    },
    {
      id: 'members',
      label: { en: 'Members', ur: 'افراد' },
      repeat: true,
      questions: [
        { name: 'name', kind: 'text', label: { en: 'Name', ur: 'نام' }, required: true },
        { name: 'age', kind: 'integer', label: { en: 'Age', ur: 'عمر' }, required: false },
        { name: 'id_number', kind: 'cnic', label: { en: 'CNIC', ur: 'شناختی کارڈ' }, required: false, appearance: 'numbers' },
        { name: 'age_years', kind: 'calculate', label: { en: 'age_years', ur: 'age_years' }, required: false },
        {
          name: 'education_group',
          kind: 'group',
          label: { en: 'Education', ur: 'تعلیم' },
          required: false,
          questions: [{ name: 'literate', kind: 'select_one', label: { en: 'Can read?', ur: 'پڑھ سکتے ہیں؟' }, required: true, choices: yesNo }],
        },
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
    conflictCount: 0,
    review: null,
    answers: { area: 'PK0101' },
    members: [],
    visible: ['area', 'consent', 'electricity'],
    issues: [],
    warnings: [],
    calculated: {},
    choices: {},
    pmt: null,
    updatedAt: '2026-11-23T10:00:00Z',
    verifications: {},
    ...over,
  };
}

import { call } from './core';
import type { AnswerValue, FormDef, Interview } from './types';

export const getForm = () => call<FormDef>('get_form');

export const openInterview = (householdId: string) =>
  call<Interview>('open_interview', { householdId });

/** The surveyor is now on `section` (`null`: they left); the core records the time per section. */
export const enterSection = (householdId: string, section: string | null) =>
  call<null>('enter_section', { householdId, section });

/** Saves one answer durably and returns the re-evaluated interview (skip logic, issues, PMT). */
export const setAnswer = (
  householdId: string,
  field: string,
  value: AnswerValue,
  memberId: string | null = null,
) => call<Interview>('set_answer', { householdId, memberId, field, value });

export const addMember = (householdId: string) => call<Interview>('add_member', { householdId });

export const removeMember = (householdId: string, memberId: string) =>
  call<Interview>('remove_member', { householdId, memberId });

/** Rejects with code `invalid` while the interview has issues. */
export const markComplete = (householdId: string) =>
  call<Interview>('mark_complete', { householdId });

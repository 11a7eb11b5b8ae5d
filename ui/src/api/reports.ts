// Questionnaires besides the household one (a service point's daily report): the forms sync
// brought, and the reports filled with them (crates/app/src/reports.rs).
import { call } from './core';
import type { AnswerValue, DeviceForm, PreviewState, ReportOpened, ReportView } from './types';

/** The forms this tablet holds, each with its newest version and its reports counted. */
export const deviceForms = () => call<DeviceForm[]>('device_forms');

/** The reports on this tablet, newest first (of one form when given). */
export const listReports = (formId: string | null = null) => call<ReportView[]>('list_reports', { formId });

/** Starts a report with the newest version of the form this tablet holds. */
export const startReport = (formId: string, area: string | null = null) =>
  call<ReportOpened>('start_report', { formId, area });

/** Opens a report with the version it was started with. */
export const openReport = (id: string) => call<ReportOpened>('open_report', { id });

/** Sets (and saves) one answer; returns the form evaluated again. */
export const reportAnswer = (id: string, field: string, value: AnswerValue) =>
  call<PreviewState>('report_answer', { id, field, value });

/** Submits a complete report for the next sync. */
export const submitReport = (id: string) => call<ReportView>('submit_report', { id });

/** Starts the correction of a returned report (a new report with its answers that names it); a
 * report already being corrected gives its correction. */
export const correctReport = (id: string) => call<ReportOpened>('correct_report', { id });

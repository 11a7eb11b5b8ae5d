// What a list of questions needs from the screen showing it (the interview or a form's preview): the
// answers, the engine's verdicts and where a change goes. A question is addressed by its name and the
// repeat row it is asked in (`memberId`, null outside repeats).
import type { AnswerValue, Question } from '../api/types';

export type QuestionContext = {
  /** The id of the question's input, unique on the screen. */
  fid: (name: string, memberId: string | null) => string;
  /** Whether the engine says the question (or, for a group, one of its questions) is asked. */
  visible: (q: Question, memberId: string | null) => boolean;
  value: (name: string, memberId: string | null) => AnswerValue;
  /** Messages to show now (after the question was touched, or when all are shown). */
  messages: (name: string, memberId: string | null) => string[];
  warnings: (name: string, memberId: string | null) => string[];
  /** The choices offered, when a choice filter decides them; null for all. */
  offered: (q: Question, memberId: string | null) => string[] | null;
  change: (name: string, memberId: string | null, value: AnswerValue) => void;
};

/** The appearance words of a question (`minimal`, `table-list`, `likert`, ...). */
export function appearances(q: Question): string[] {
  return (q.appearance ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

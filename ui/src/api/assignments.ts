import { call } from './core';
import type { AssignmentView } from './types';

/** This tablet's assignments as the registry last sent them, with progress counted here. */
export const myAssignments = () => call<AssignmentView[]>('my_assignments');

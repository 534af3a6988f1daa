import type { Annotation, Task } from '@medplum/fhirtypes';

/**
 * The note SP Link adds to a referral Task that was not accepted within its response target: the first line is this
 * fixed heading, so any FHIR client reads it as text and every SP Link surface finds it (the workspace's manager view,
 * the escalation sweep that must not escalate twice).
 */
export const ESCALATION_HEADING = 'Escalated to the service manager: not accepted in time';

export const isEscalationNote = (n: Annotation): boolean => n.text.split('\n', 1)[0] === ESCALATION_HEADING;

/** The escalation note of a Task, if it was escalated. */
export const escalationOf = (task: Pick<Task, 'note'>): Annotation | undefined => task.note?.find(isEscalationNote);

export function escalationNote(o: { time: string; why: string }): Annotation {
  return { authorString: 'SP Link', time: o.time, text: `${ESCALATION_HEADING}\n${o.why}` };
}

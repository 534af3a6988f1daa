/** A complete, valid GP app referral form (POST /app/api/referrals) for `patientId`; `over` replaces answers. */
export function referralForm(patientId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    patientId,
    needs: ['loneliness', 'physical-activity'],
    whatMatters: 'Getting back to the allotment',
    urgency: 'routine',
    consent: { given: true, date: new Date().toISOString().slice(0, 10) },
    contact: { methods: ['phone'], safeTimes: 'Mornings', leaveMessage: true },
    accessibility: { needs: [] },
    safeguarding: { concern: false },
    service: { kind: 'link-worker-decides' },
    ...over,
  };
}

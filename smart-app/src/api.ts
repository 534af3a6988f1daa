import type { AcknowledgementResult, AppContext, CancelResult, CreatedReferral, DirectoryEntry, FieldError, ReferralSummary, SafeguardingConcern } from '../../src/gp-app-contract/index.js';

export type { AppContext, DirectoryEntry, FieldError, ReferralSummary, SafeguardingConcern };

/** Our API's error body `{ error: { code, message, fields? } }` as a thrown value. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

let csrfToken = '';
export const setCsrfToken = (t: string) => {
  csrfToken = t;
};

/**
 * This window's launch, from `/app/?ctx=…` (set by the launch callback). Each EHR window has its own, so two
 * windows for two patients never mix; it means nothing without the HttpOnly session cookie.
 */
const launchContext = new URLSearchParams(location.search).get('ctx') ?? '';

/** Same-origin JSON calls to the backend-for-frontend. The session cookie is HttpOnly: no token in JS. */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/app/api${path}`, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'x-sp-link-context': launchContext,
        ...(body === undefined ? {} : { 'content-type': 'application/json', 'x-csrf-token': csrfToken }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'ERR_NETWORK', 'SP Link could not be reached. Check your connection and try again.');
  }
  const data = (await res.json().catch(() => undefined)) as { error?: { code: string; message: string; fields?: FieldError[] } } | undefined;
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? 'ERR_INTERNAL', data?.error?.message ?? `SP Link answered ${res.status}.`, data?.error?.fields);
  return data as T;
}

export const api = {
  context: () => call<AppContext>('GET', '/context'),
  directory: (q: { needs: string[]; text?: string; locality?: string }) => {
    const p = new URLSearchParams();
    for (const n of q.needs) p.append('need', n);
    if (q.text) p.set('q', q.text);
    if (q.locality) p.set('locality', q.locality);
    // Ranked by distance from the patient's home where it is known.
    p.set('near', 'home');
    return call<{ services: DirectoryEntry[] }>('GET', `/directory?${p}`);
  },
  referrals: (patientId: string) => call<{ referrals: ReferralSummary[] }>('GET', `/referrals?patient=${encodeURIComponent(patientId)}`),
  createReferral: (body: unknown) => call<CreatedReferral>('POST', '/referrals', body),
  cancelReferral: (id: string, body: { patientId: string; version?: string; reason: string }) =>
    call<CancelResult>('POST', `/referrals/${encodeURIComponent(id)}/cancel`, body),
  acknowledgeSafeguarding: (id: string, body: { patientId: string; concern: string }) =>
    call<AcknowledgementResult>('POST', `/referrals/${encodeURIComponent(id)}/safeguarding/acknowledge`, body),
};

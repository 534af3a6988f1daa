export type CheckStatus = 'PASS' | 'FAIL' | 'WARN' | 'SKIP';

export type EndpointKind = 'ehr' | 'link-worker';

/** One line of the doctor's table. */
export interface DoctorCheck {
  /** Which endpoint, e.g. `ehr:riverside` or `link-worker:lw-main`. */
  endpoint: string;
  /** What was checked, e.g. `CapabilityStatement: FHIR 4.0.1`. */
  check: string;
  status: CheckStatus;
  /** What was found. Never contains secrets or tokens. */
  detail?: string;
  /** How to fix it (FAIL and WARN only). */
  fix?: string;
}

export interface DoctorEndpoint {
  label: string;
  kind: EndpointKind;
  fhirBase: string;
}

export interface DoctorReport {
  /** True when no check FAILed (WARN and SKIP do not fail the run). */
  ok: boolean;
  startedAt: string;
  endpoints: DoctorEndpoint[];
  checks: DoctorCheck[];
}

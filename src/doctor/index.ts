export { runDoctor, doctorTargets, type DoctorOptions } from './run.js';
export { renderDoctorReport } from './render.js';
export { checkCapabilityStatement } from './capability-checks.js';
export { checkBackendConfiguration, checkEhrLaunchConfiguration } from './smart-checks.js';
export type { CheckStatus, DoctorCheck, DoctorEndpoint, DoctorReport, EndpointKind } from './types.js';

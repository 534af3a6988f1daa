export * from './types.js';
export { parseTask, MAX_TASK_BYTES, MAX_TEXT_CHARS, type ParseResult } from './parse-task.js';
export { planTaskVersion } from './plan.js';
export { resolveReference, refKey, linkWorkerUrl, readableAtLinkWorker } from './references.js';
export { mapOutcome, outcomeIdentifier } from './outcome-observation.js';
export { outcomeCopyEffect, retractCopyEffect } from './outcome-copy.js';
export { topicsFor, buildCommunication, buildFlag } from './messages.js';
export { versionOrderKey, instantKey, laterKey, earlierKey } from './version-order.js';

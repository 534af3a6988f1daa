import { startTestSystem, type TestSystem } from '../../helpers/system.js';

export type GpTestSystem = TestSystem;

/** The full system (sandbox EHR + auth + link-worker servers, store, reconciler, GP app) on an ephemeral port. */
export function startGpTestSystem(): Promise<GpTestSystem> {
  return startTestSystem();
}

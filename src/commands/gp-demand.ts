/** `sp-link gp-demand …`: implemented by the reconciler (src/reconcile/cli), which owns the GP demand sweep. */
export { runGpDemandCommand } from '../reconcile/cli/gp-demand-command.js';

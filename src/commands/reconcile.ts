/** `sp-link reconcile …`: implemented by the reconciler (src/reconcile/cli). */
export { runReconcileCommand } from '../reconcile/cli/reconcile-command.js';

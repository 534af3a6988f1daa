/** `sp-link dead-letters …`: implemented by the reconciler (src/reconcile/cli). */
export { runDeadLettersCommand } from '../reconcile/cli/dead-letters-command.js';

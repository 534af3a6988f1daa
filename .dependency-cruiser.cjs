// @ts-check
/**
 * Import rules between SP Link's folders, checked by `npm run lint:deps` (part of `npm run lint` and `npm test`).
 *
 * `src/` is layered: a module may import from its own folder and from folders in LOWER layers only, never from a
 * higher layer or from a sibling folder of the same layer. So the folder graph has no upward arrow and no cycle.
 * A new top-level folder or file under src/ must be given a layer here (the `unplaced` rule says so).
 * docs/ARCHITECTURE.md ("Modules") explains each layer.
 */
const LAYERS = [
  ['errors.ts', 'observability', 'time', 'referral-model'],
  ['config', 'message-back'],
  ['fhir', 'store', 'gp-app-contract'],
  ['http', 'fhir-store', 'reports', 'directory', 'identity'],
  ['referrals', 'reconcile', 'doctor', 'cds', 'fhir-server'],
  ['smart', 'workspace', 'sandbox', 'intake', 'hosted'],
  ['referral-api'],
  ['system.ts'],
  ['commands'],
  ['cli.ts'],
];

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Matches the folder (with everything under it) or the root file `name`. */
const entry = (name) => (name.endsWith('.ts') ? `^src/${esc(name)}$` : `^src/${esc(name)}/`);
const placed = LAYERS.flat();

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = LAYERS.flatMap((layer, i) =>
  layer.map((name) => {
    const allowed = LAYERS.slice(0, i).flat().concat(name);
    return {
      name: `layer-${name}`,
      comment: `src/${name} may import only from ${allowed.filter((n) => n !== name).map((n) => `src/${n}`).join(', ') || 'nothing else in src/'} (lower layers). See .dependency-cruiser.cjs.`,
      severity: 'error',
      from: { path: entry(name) },
      to: { path: '^src/', pathNot: allowed.map(entry) },
    };
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'unplaced',
      comment: 'Every top-level folder or file of src/ needs a layer in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/', pathNot: placed.map(entry) },
      to: {},
    },
    {
      name: 'no-runtime-cycle',
      comment: 'Modules must not import each other at run time in a cycle (type-only imports are erased).',
      severity: 'error',
      from: { path: '^(src|smart-app)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-folder-cycle',
      comment: 'Folders (at every depth) must not depend on each other in a cycle.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(src|smart-app)/' },
      to: { circular: true },
    },
    {
      name: 'gp-app-reads-only-the-contract',
      comment: 'The browser bundle (smart-app/) imports from src/ only the GP app contract and the pure referral model and message renderer.',
      severity: 'error',
      from: { path: '^smart-app/' },
      to: { path: '^src/', pathNot: ['^src/gp-app-contract/', '^src/referral-model/', '^src/message-back/'] },
    },
    {
      name: 'src-not-to-tests',
      comment: 'Production code must not import tests, benchmarks or scripts.',
      severity: 'error',
      from: { path: '^(src|smart-app)/' },
      to: { path: '^(test|bench|fhir-profiles)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};

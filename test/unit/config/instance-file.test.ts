import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { adoptRunningInstance, findInstance, instanceFile, instanceOwning, registerInstance } from '../../../src/config/instance-file.js';

describe('config/instance-file (how the CLI finds the running instance)', () => {
  let dir: string;
  let config: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-instances-'));
    config = path.join(dir, 'sp-link.yaml');
    await writeFile(config, 'x: 1\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a command with the same config takes the instance’s port and data directory, unless it sets its own', () => {
    const unregister = registerInstance(config, 'http://localhost:4000', '/srv/sp-link', { PORT: '4000', SP_LINK_DATA_DIR: '/srv/sp-link', SP_LINK_ADMIN_TOKEN: 'secret' }, dir);
    const env: NodeJS.ProcessEnv = { HOST: '127.0.0.1' };
    const found = adoptRunningInstance(config, env, dir);
    expect(found).to.deep.include({ pid: process.pid, url: 'http://localhost:4000' });
    expect(env).to.deep.equal({ HOST: '127.0.0.1', PORT: '4000', SP_LINK_DATA_DIR: '/srv/sp-link' });
    const mine: NodeJS.ProcessEnv = { PORT: '5000' };
    adoptRunningInstance(config, mine, dir);
    expect(mine.PORT).to.equal('5000');
    expect(JSON.stringify(found), 'no secret is recorded').to.not.contain('secret');
    expect(instanceOwning(config, '/srv/sp-link', dir)?.pid, 'it owns its data directory').to.equal(process.pid);
    expect(instanceOwning(config, '/srv/other', dir), 'not another one').to.equal(undefined);
    unregister();
    expect(findInstance(config, dir)).to.equal(undefined);
  });

  it('another config file is another instance; a record whose process is gone is ignored', async () => {
    registerInstance(config, 'http://localhost:4000', '/srv/sp-link', { PORT: '4000' }, dir);
    expect(findInstance(path.join(dir, 'other.yaml'), dir)).to.equal(undefined);
    await writeFile(instanceFile(config, dir), JSON.stringify({ pid: 2 ** 22 + 12345, url: 'http://localhost:4000', env: { PORT: '4000' } }));
    const env: NodeJS.ProcessEnv = {};
    expect(adoptRunningInstance(config, env, dir)).to.equal(undefined);
    expect(env).to.deep.equal({});
  });
});

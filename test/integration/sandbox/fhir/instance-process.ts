// One SP Link instance's sandbox link-worker FHIR server for the multi-instance test (instances.test.ts), run as
// a child process: `tsx instance-process.ts <postgres-url> <schema> <public-base>`. Prints "ready <url>" once it
// serves, then "change <Type>/<id>/<version>" for each committed change this instance handed to its notifier.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createSandboxFhirServer } from '../../../../src/sandbox/fhir/index.js';
import { openDb } from '../../../../src/store/db.js';

const [databaseUrl, schema, publicBase] = process.argv.slice(2);
if (!databaseUrl || !schema || !publicBase) throw new Error('usage: instance-process.ts <postgres-url> <schema> <public-base>');
const db = await openDb({ databaseUrl, schema, maxConnections: 5 });
const lw = await createSandboxFhirServer({
  name: 'lw',
  baseUrl: publicBase,
  db,
  seed: () => [],
  onChange: (r) => void process.stdout.write(`change ${r.resourceType}/${r.id}/${r.meta?.versionId}\n`),
});
const app = express();
app.use('/fhir', lw.router);
const server = http.createServer(app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`ready http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir\n`);

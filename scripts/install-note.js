#!/usr/bin/env node
// Runs after `npm install` / `npm ci` (package.json "postinstall"). npm itself runs on the system Node, which may be
// older than the Node 24 SP Link runs on; it then prints EBADENGINE warnings for packages that want Node 22 or later.
// They are harmless here, because the `node` devDependency puts Node 24 on node_modules/.bin for every npm script:
// this says so once, where the warnings were printed, instead of leaving a newcomer to wonder.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const npmNode = /\bnode\/v(\d+)\.(\d+)/.exec(process.env.npm_config_user_agent ?? '');
const bundled = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
const olderThan22 = npmNode && Number(npmNode[1]) < 22;

if (olderThan22) {
  let runtime = '';
  try {
    if (existsSync(bundled)) runtime = execFileSync(bundled, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    runtime = '';
  }
  const lines = runtime
    ? [
        `Note: npm ran on the system Node v${npmNode[1]}.${npmNode[2]}, so it printed "EBADENGINE" warnings for packages that`,
        `need Node 22 or later. They are expected and harmless: SP Link runs on Node ${runtime}, which npm install put in`,
        'node_modules/.bin, and every npm script (npm start, npm test) uses it. Installing Node 24 system-wide silences them.',
      ]
    : [
        `Warning: npm ran on the system Node v${npmNode[1]}.${npmNode[2]} and Node 24 was not installed into node_modules/.bin`,
        '(was npm run with --omit=dev or --ignore-scripts?). SP Link needs Node 22.12 or later: run `npm install` again.',
      ];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

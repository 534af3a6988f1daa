#!/usr/bin/env node
// Thin launcher: runs the TypeScript CLI through tsx so `sp-link` works without a build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
runCli(process.argv.slice(2));

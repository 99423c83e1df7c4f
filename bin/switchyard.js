#!/usr/bin/env node
// Entry point. Plain JavaScript so that it can start on any Node and hand over to Node >= 22 when needed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const { suitableNode, runUnder } = await import('../scripts/with-node.mjs');
  runUnder(suitableNode(), fileURLToPath(import.meta.url), process.argv.slice(2));
} else {
  // Node's on-disk compile cache (22.1+) halves start-up for a CLI of this many modules.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  const main = new URL('../dist/cli/main.js', import.meta.url);
  if (!existsSync(fileURLToPath(main))) {
    console.error('switchyard is not built: run `npm install` (or `npm run build`) in its folder first.');
    process.exit(2);
  }
  const { run } = await import(main.href);
  process.exitCode = await run(process.argv.slice(2));
}

#!/usr/bin/env node
// Entry point. Plain JavaScript so that it can start on any Node and hand over to Node >= 22 when needed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const { suitableNode, runUnder } = await import('../scripts/with-node.mjs');
  runUnder(suitableNode(), fileURLToPath(import.meta.url), process.argv.slice(2));
} else {
  // Ctrl-C before the CLI has loaded: nothing started yet, so nothing to clean up. Once loaded, the CLI's own
  // handler (src/cli/interrupt.ts) takes over in the same tick.
  const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const early = () => {
    process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}interrupted: run the same command again to resume\n`);
    process.exit(130);
  };
  for (const s of SIGNALS) process.on(s, early);
  // Node's on-disk compile cache (22.1+) halves start-up for a CLI of this many modules.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  const main = new URL('../dist/cli/main.js', import.meta.url);
  if (!existsSync(fileURLToPath(main))) {
    console.error('switchyard is not built: run `npm install` (or `npm run build`) in its folder first.');
    process.exit(2);
  }
  const { run, installInterruptHandler } = await import(main.href);
  for (const s of SIGNALS) process.off(s, early);
  installInterruptHandler();
  process.exitCode = await run(process.argv.slice(2));
}

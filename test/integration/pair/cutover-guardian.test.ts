// The fence lifts itself (guardian.ts): cutover is SIGKILLed right after each step inside the fence, or
// SIGSTOPped there (a hung process), while 16 clients write through PgBouncer. Without anyone acting, the
// clients' writes come back within pair.fenceTimeoutMs + 1 s: on the old side when the switch had not
// committed (it is recorded as undone), on the new side when it had (the topology moved). Nothing acknowledged
// is lost, the split-brain watch of the side not live sees no foreign write, and the next cutover or cutback
// converges. Runs the built CLI (bin/switchyard.js -> dist/): `npm run build` first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { pairInit } from '../../../src/pair/init.js';
import { readTopology, SWITCH_STEPS, type SwitchStep } from '../../../src/pair/topology.js';
import { peekWatch } from '../../../src/pair/watch.js';
import { APP_SQL, appRole, eventually, freshPair, type TestPair } from '../../support/pair.js';
import { startPgBouncer, type PgBouncer } from '../../support/pgbouncer.js';
import { startWriteLoad, writeLoadTable, type WriteLoad } from '../../support/write-load.js';

const CLI = join(import.meta.dirname, '../../../bin/switchyard.js');
const FENCE_TIMEOUT_MS = 2500;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!().catch(() => undefined);
});

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>;
}

function start(config: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [CLI, '--config', config, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, done };
}

interface Setup {
  readonly pair: TestPair;
  readonly bouncer: PgBouncer;
  readonly config: string;
  readonly load: WriteLoad;
}

async function setUp(): Promise<Setup> {
  expect(
    existsSync(join(import.meta.dirname, '../../../dist/pair/guardian-main.js')),
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
    `pair:\n  blue: ${pair.blue.url}\n  green: ${pair.green.url}\n  fenceTimeoutMs: ${FENCE_TIMEOUT_MS}\nrouter:\n  kind: pgbouncer\n  admin: ${bouncer.adminUrl}\n  config: ${bouncer.iniPath}\n  database: ${bouncer.database}\n`,
  );
  const load = startWriteLoad(bouncer.url, 'writes', { clients: 16 });
  await load.waitForMore(200);
  return { pair, bouncer, config, load };
}

async function topology(pair: TestPair) {
  const [b, g] = [
    await readTopology(pair.blue.client, 'switchyard'),
    await readTopology(pair.green.client, 'switchyard'),
  ];
  return { b: b!, g: g! };
}

/** The side PgBouncer's ini points at. */
function routed(s: Setup): 'blue' | 'green' {
  const ini = readFileSync(s.bouncer.iniPath, 'utf8');
  return new RegExp(`port=${new URL(s.pair.blue.url).port}\\b`).test(ini) ? 'blue' : 'green';
}

async function switchState(pair: TestPair, generation: number): Promise<string | undefined> {
  const { rows } = await pair.blue.client.query<{ state: string }>(
    'SELECT state FROM switchyard.pair_switch WHERE generation = $1',
    [generation],
  );
  return rows[0]?.state;
}

/** Ms from now until the clients have 32 more acknowledged writes (every client is past the fence). */
async function resumeMs(load: WriteLoad): Promise<number> {
  const t0 = performance.now();
  await load.waitForMore(32, FENCE_TIMEOUT_MS + 10_000);
  return performance.now() - t0;
}

/** The end state: topology agreed, router on the live side, nothing lost, no foreign write, sides converge. */
async function finish(s: Setup): Promise<string> {
  const result = await s.load.stop();
  const { b, g } = await topology(s.pair);
  expect(b.live).toBe(g.live);
  expect(b.generation).toBe(g.generation);
  expect(routed(s)).toBe(b.live);
  const live = b.live === 'blue' ? s.pair.blue : s.pair.green;
  const other = live === s.pair.blue ? s.pair.green : s.pair.blue;
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
  expect(result.failed, JSON.stringify(result.errors)).toBe(0);
  // Every client's longest wait, the fences the guardian lifted included.
  expect(result.maxLatencyMs).toBeLessThan(FENCE_TIMEOUT_MS + 1000);
  return `${result.acknowledged.length} writes acknowledged, 0 failed, max latency ${Math.round(result.maxLatencyMs)} ms`;
}

/** The split-brain watch of the side not live: armed after the switch, and it saw no write but replication's. */
async function noForeignWrites(s: Setup, what: string): Promise<void> {
  const { b } = await topology(s.pair);
  const fenced = b.live === 'blue' ? 'green' : 'blue';
  const peek = await peekWatch(fenced === 'blue' ? s.pair.blue.client : s.pair.green.client, fenced);
  expect(peek.slot, what).not.toBeNull();
  expect(peek.writes, what).toEqual([]);
}

/** The rerun (cutover or cutback) converges: exit 0, topology agreed, the router on the live side. */
async function rerun(s: Setup, command: 'cutover' | 'cutback', what: string): Promise<string> {
  const r = await start(s.config, [command, '--yes', '--json']).done;
  expect(r.code, `${command} ${what}: ${r.out}`).toBe(0);
  const report = JSON.parse(r.out.slice(r.out.lastIndexOf('\n{') + 1)) as { outcome: string; to: string };
  const { b, g } = await topology(s.pair);
  expect(b.live, what).toBe(g.live);
  expect(b.generation, what).toBe(g.generation);
  expect(routed(s), what).toBe(b.live);
  await noForeignWrites(s, what);
  return `${command} -> ${report.outcome}, ${report.to} live`;
}

const FENCED = SWITCH_STEPS.slice(SWITCH_STEPS.indexOf('fence'), SWITCH_STEPS.indexOf('resume'));
const committed = (step: SwitchStep) => SWITCH_STEPS.indexOf(step) >= SWITCH_STEPS.indexOf('topology');

describe('the fence guardian', () => {
  it('lifts the fence when cutover is killed at each point inside it; the next cutover or cutback converges', async () => {
    const s = await setUp();
    const lines: string[] = [];
    try {
      for (const [i, step] of FENCED.entries()) {
        const before = await topology(s.pair);
        const killed = await start(s.config, ['cutover', '--yes', '--json'], {
          SWITCHYARD_FAULT_KILL_AFTER: step,
        }).done;
        expect(killed.signal, `cutover killed after ${step}: ${killed.out}`).toBe('SIGKILL');
        const ms = await resumeMs(s.load);
        expect(ms, `writes resumed after a kill after ${step}`).toBeLessThan(FENCE_TIMEOUT_MS + 1000);
        // The guardian lifted it: back on the old side (undone), or on the new one (the switch had committed).
        const from = before.b.live;
        const to = from === 'blue' ? 'green' : 'blue';
        await eventually(`the guardian to finish after ${step}`, async () => {
          const now = await topology(s.pair);
          return committed(step)
            ? now.b.live === to && now.g.live === to
            : (await switchState(s.pair, before.b.generation)) === 'undone';
        });
        expect(routed(s), `after a kill after ${step}`).toBe(committed(step) ? to : from);
        if (committed(step)) {
          // Before any rerun, the old side is watched (and fenced): nothing writes there unseen.
          const old = from === 'blue' ? s.pair.blue : s.pair.green;
          await eventually(
            `the watch on ${from} after ${step}`,
            async () => (await peekWatch(old.client, from)).slot !== null,
          );
          expect((await peekWatch(old.client, from)).writes).toEqual([]);
          const { rows } = await old.client.query(
            `SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = 'app_writer'
              AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND 'default_transaction_read_only=on' = ANY (s.setconfig)`,
          );
          expect(rows.length, `app_writer fenced on ${from} after ${step}`).toBe(1);
        }
        const command = i % 2 === 0 ? 'cutover' : 'cutback';
        lines.push(
          `${step}: writes back after ${Math.round(ms)} ms on ${committed(step) ? to : from}; ${await rerun(s, command, `after a kill after ${step}`)}`,
        );
        await s.load.waitForMore(100);
      }
    } finally {
      lines.push(await finish(s));
      console.log(lines.join('\n'));
    }
  }, 400_000);

  it('lifts the fence at the deadline when cutover hangs inside it, and stops the hung process', async () => {
    const s = await setUp();
    const lines: string[] = [];
    try {
      for (const step of ['marker', 'reverse', 'topology'] as const) {
        const before = await topology(s.pair);
        const run = start(s.config, ['cutover', '--yes', '--json'], {
          SWITCHYARD_FAULT_STOP_AFTER: step,
          // Secrets in switchyard's environment (a URL switchyard.yaml could name, libpq's password) stay out of the guardian's.
          BLUE_URL: s.pair.blue.url,
          PGPASSWORD: 'pgpassword-not-in-ps',
        });
        await eventually(`cutover to stop after ${step}`, async () => {
          const stat = readFileSync(`/proc/${run.child.pid}/stat`, 'utf8');
          return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
        });
        const stoppedAt = performance.now();
        // The guardian (switchyard's child) holds no secret where ps shows it: command line and environment.
        const guardian = readdirSync('/proc')
          .filter((d) => /^\d+$/.test(d))
          .find((d) => {
            try {
              const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
              return (
                Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === run.child.pid &&
                readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('guardian-main.js')
              );
            } catch {
              return false;
            }
          });
        expect(guardian, 'the guardian process').toBeDefined();
        const shown = `${readFileSync(`/proc/${guardian}/cmdline`, 'utf8')}\n${readFileSync(`/proc/${guardian}/environ`, 'utf8')}`;
        for (const url of [s.pair.blue.url, s.pair.green.url])
          expect(shown).not.toContain(decodeURIComponent(new URL(url).password));
        expect(shown).not.toContain('postgres://');
        expect(shown).not.toContain('pgpassword-not-in-ps');
        const hung = await run.done;
        // The guardian asked it to stop at the deadline and, with no answer, killed it.
        expect(hung.signal, `cutover stopped after ${step}: ${hung.out}`).toBe('SIGKILL');
        await s.load.waitForMore(32, 10_000);
        const ms = performance.now() - stoppedAt;
        expect(ms, `writes resumed after a hang after ${step}`).toBeLessThan(FENCE_TIMEOUT_MS + 1000);
        const from = before.b.live;
        const to = from === 'blue' ? 'green' : 'blue';
        await eventually(`the guardian to finish after ${step}`, async () => {
          const now = await topology(s.pair);
          return committed(step)
            ? now.b.live === to && now.g.live === to
            : (await switchState(s.pair, before.b.generation)) === 'undone';
        });
        expect(routed(s)).toBe(committed(step) ? to : from);
        lines.push(
          `hang after ${step}: writes back after ${Math.round(ms)} ms on ${committed(step) ? to : from}; ${await rerun(s, 'cutover', `after a hang after ${step}`)}`,
        );
        await s.load.waitForMore(100);
      }
      // Slow but alive: asked to let go at the deadline, it does, and fails naming the timeout and the undo.
      const before = await topology(s.pair);
      const slow = await start(s.config, ['cutover', '--yes'], {
        SWITCHYARD_FAULT_SLEEP_AFTER: 'sequences',
        SWITCHYARD_FAULT_SLEEP_MS: String(FENCE_TIMEOUT_MS + 1500),
      }).done;
      expect(slow.code, slow.out).toBe(1);
      expect(slow.out).toContain(`did not finish within pair.fenceTimeoutMs (${FENCE_TIMEOUT_MS} ms) and was stopped`);
      expect(slow.out).toContain(`the switch had not committed: ${before.b.live} takes writes again`);
      expect(await switchState(s.pair, before.b.generation)).toBe('undone');
      expect(routed(s)).toBe(before.b.live);
      // cutback has nothing left to undo; cutover switches.
      lines.push(`slow after sequences: ${await rerun(s, 'cutback', 'after a slow cutover')}`);
      expect((await topology(s.pair)).b.live).toBe(before.b.live);
      lines.push(`then ${await rerun(s, 'cutover', 'after a slow cutover')}`);
      await s.load.waitForMore(100);
      // A PAUSE that waits past the deadline (a transaction stays open through PgBouncer): the guardian stops
      // switchyard, whose PAUSE must not come back on a new connection after the guardian's RESUME.
      const open = new pg.Client({ connectionString: s.bouncer.url });
      await open.connect();
      await open.query(`BEGIN; INSERT INTO writes (client, seq, payload) VALUES (999, 1, 'held open')`);
      const held = await topology(s.pair);
      const blocked = await start(s.config, ['cutover', '--yes']).done;
      expect(blocked.code, blocked.out).toBe(1);
      expect(blocked.out).toContain('and was stopped');
      expect(await switchState(s.pair, held.b.generation)).toBe('undone');
      await s.load.waitForMore(32, FENCE_TIMEOUT_MS);
      await open.query('COMMIT');
      await open.end();
      const live = held.b.live === 'blue' ? s.pair.blue : s.pair.green;
      expect((await live.client.query(`SELECT 1 FROM writes WHERE client = 999`)).rows.length).toBe(1);
      await s.load.waitForMore(100);
      lines.push(
        `PAUSE held past the deadline: undone, ${held.b.live} live; ${await rerun(s, 'cutover', 'after a PAUSE held past the deadline')}`,
      );
    } finally {
      lines.push(await finish(s));
      console.log(lines.join('\n'));
    }
  }, 300_000);

  it('without a pooler (roles fence), gives the roles their writes back on the side that was live, or moves them on', async () => {
    expect(existsSync(join(import.meta.dirname, '../../../dist/pair/guardian-main.js')), 'npm run build').toBe(true);
    const pair = await freshPair();
    await pair.blue.client.query(`${APP_SQL};${writeLoadTable('writes')}`);
    await pairInit(pair.config);
    await appRole(pair);
    const withApp = (url: string) =>
      Object.assign(new URL(url), { username: 'app_writer', password: 'app-secret' }).toString();
    const dir = mkdtempSync(join(tmpdir(), 'sy-guardian-roles-'));
    const urlFile = join(dir, 'live-url');
    writeFileSync(urlFile, withApp(pair.blue.url));
    const script = join(dir, 'switch.sh');
    writeFileSync(
      script,
      `#!/bin/sh\nurl=$(printf %s "$2" | sed 's#//[^@]*@#//app_writer:app-secret@#')\nprintf %s "$url" > ${JSON.stringify(urlFile)}\n`,
      { mode: 0o755 },
    );
    const config = join(dir, 'switchyard.yaml');
    writeFileSync(
      config,
      `pair:\n  blue: ${pair.blue.url}\n  green: ${pair.green.url}\n  fenceTimeoutMs: ${FENCE_TIMEOUT_MS}\nrouter:\n  kind: command\n  run: ${script} {side} {url}\n`,
    );
    // 16 clients connecting to whatever URL the file names; a refused write (fenced) reconnects.
    const acknowledged: string[] = [];
    let running = true;
    const worker = async (n: number) => {
      let db: pg.Client | undefined;
      for (let seq = 1; running; seq++) {
        try {
          if (!db) {
            db = new pg.Client({ connectionString: readFileSync(urlFile, 'utf8') });
            db.on('error', () => undefined);
            await db.connect();
          }
          await db.query('INSERT INTO writes (client, seq, payload) VALUES ($1, $2, $3)', [n, seq, 'x']);
          acknowledged.push(`${n}:${seq}`);
        } catch {
          await db?.end().catch(() => undefined);
          db = undefined;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      await db?.end().catch(() => undefined);
    };
    const workers = Array.from({ length: 16 }, (_, i) => worker(i + 1));
    const more = (n: number) => {
      const target = acknowledged.length + n;
      return eventually(`${n} more writes`, async () => acknowledged.length >= target, 30_000);
    };
    const lines: string[] = [];
    try {
      await more(200);
      for (const step of ['marker', 'topology'] as const) {
        const before = await topology(pair);
        const from = before.b.live;
        const to = from === 'blue' ? 'green' : 'blue';
        const killed = await start(config, ['cutover', '--yes', '--json'], { SWITCHYARD_FAULT_KILL_AFTER: step }).done;
        expect(killed.signal, killed.out).toBe('SIGKILL');
        const t0 = performance.now();
        await more(32);
        const ms = performance.now() - t0;
        expect(ms, `writes resumed after a kill after ${step}`).toBeLessThan(FENCE_TIMEOUT_MS + 1000);
        const now = await topology(pair);
        expect(now.b.live, step).toBe(committed(step) ? to : from);
        expect(readFileSync(urlFile, 'utf8'), step).toBe(withApp(pair[committed(step) ? to : from].url));
        const r = await start(config, ['cutover', '--yes', '--json']).done;
        expect(r.code, r.out).toBe(0);
        const after = await topology(pair);
        expect(after.b.live).toBe(after.g.live);
        expect(readFileSync(urlFile, 'utf8')).toBe(withApp(pair[after.b.live].url));
        const fenced = after.b.live === 'blue' ? 'green' : 'blue';
        expect((await peekWatch(pair[fenced].client, fenced)).writes, step).toEqual([]);
        lines.push(
          `roles, kill after ${step}: writes back after ${Math.round(ms)} ms on ${now.b.live}; cutover -> ${after.b.live} live`,
        );
        await more(100);
      }
    } finally {
      running = false;
      await Promise.all(workers);
    }
    const live = pair[(await topology(pair)).b.live];
    const have = new Set(
      (await live.client.query<{ k: string }>(`SELECT client || ':' || seq AS k FROM writes`)).rows.map((r) => r.k),
    );
    expect(acknowledged.filter((k) => !have.has(k))).toEqual([]);
    console.log([...lines, `${acknowledged.length} writes acknowledged`].join('\n'));
  }, 300_000);
});

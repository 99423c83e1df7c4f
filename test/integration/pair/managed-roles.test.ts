// A pair run by a managed-PostgreSQL deploy role (RDS, Cloud SQL, Azure), on PostgreSQL 17 on both sides: not a
// superuser, LOGIN REPLICATION PASSWORD, owner of the databases and the tables, granted pg_create_subscription,
// pg_signal_backend and pg_read_all_stats. The URLs carry no password (it comes from a password file, as
// ~/.pgpass would hold it): PostgreSQL 16+ still needs one in the subscription's connection string.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_SQL, eventually, freshPair, type PairSide, type TestPair } from '../../support/pair.js';
import { cli, type CliResult } from '../../support/cli.js';
import { startPgBouncer } from '../../support/pgbouncer.js';
import { startWriteLoad, writeLoadTable } from '../../support/write-load.js';
import { ident } from '../../../src/db/quote.js';
import { introspect, serverVersion } from '../../../src/introspect/index.js';
import { writePlanFiles } from '../../../src/planner/file.js';
import { buildPlan } from '../../../src/planner/plan.js';
import { prepareSession } from '../../../src/rehearsal/shadow.js';

const PASSWORD = 'deploy-Secret-7f3a9c';
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!().catch(() => undefined);
});

function as(url: string, user: string, password = ''): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

interface Deploy {
  readonly blue: pg.Client;
  readonly green: pg.Client;
  readonly dir: string;
  readonly yaml: (extra?: string) => string;
}

/** The deploy role on both servers, owning each side's database; its password only in a password file. */
async function managedRole(pair: TestPair): Promise<Deploy> {
  // PostgreSQL 17 on both sides, whatever SWITCHYARD_PG_VERSION says: pg_create_subscription is 16+.
  for (const side of [pair.blue, pair.green])
    expect((await side.client.query('SHOW server_version_num')).rows[0].server_version_num).toMatch(/^17/);
  const dir = mkdtempSync(join(tmpdir(), 'sy-managed-'));
  const lines: string[] = [];
  const clients: pg.Client[] = [];
  for (const side of [pair.blue, pair.green]) {
    await side.client.query(
      `DO $$ BEGIN CREATE ROLE deploy LOGIN REPLICATION PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    await side.client.query('ALTER ROLE deploy REPLICATION');
    await side.client.query('GRANT pg_create_subscription, pg_signal_backend, pg_read_all_stats TO deploy');
    await side.client.query(`ALTER DATABASE ${ident(side.name)} OWNER TO deploy`);
    await side.client.query(
      `DO $$ BEGIN CREATE ROLE app_writer LOGIN PASSWORD 'app-secret'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    const u = new URL(side.url);
    lines.push(`${u.hostname}:${u.port}:*:deploy:${PASSWORD}`);
  }
  const passfile = join(dir, 'pgpass');
  writeFileSync(passfile, `${lines.join('\n')}\n`, { mode: 0o600 });
  process.env.PGPASSFILE = passfile;
  stops.push(async () => void delete process.env.PGPASSFILE);
  for (const side of [pair.blue, pair.green]) {
    const c = new pg.Client({ connectionString: as(side.url, 'deploy', PASSWORD) });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    stops.push(() => c.end());
  }
  const yaml = (extra = '') => {
    const file = join(dir, `switchyard-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      `pair:\n  blue: ${as(pair.blue.url, 'deploy')}\n  green: ${as(pair.green.url, 'deploy')}\n${extra}`,
    );
    return file;
  };
  return { blue: clients[0]!, green: clients[1]!, dir, yaml };
}

/** Every row of every table in the ledger schema, as text. */
async function ledgerRows(c: pg.Client): Promise<string> {
  const { rows } = await c.query<{ t: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname = 'switchyard' ORDER BY 1`,
  );
  let out = '';
  for (const r of rows) out += JSON.stringify((await c.query(`SELECT * FROM ${r.t}`)).rows);
  return out;
}

type Row = { client: number; seq: number };
async function missingOn(side: PairSide, acknowledged: readonly Row[]): Promise<string[]> {
  const have = new Set(
    (await side.client.query<Row>('SELECT client, seq FROM writes')).rows.map((r) => `${r.client}:${r.seq}`),
  );
  return acknowledged.map((r) => `${r.client}:${r.seq}`).filter((k) => !have.has(k));
}

describe('a pair run by a managed-PostgreSQL deploy role (no superuser)', () => {
  it('pair init, cutover and cutback under writes through PgBouncer lose no acknowledged write and print no password', async () => {
    const pair = await freshPair('', { major: 17 });
    const deploy = await managedRole(pair);
    const outputs: CliResult[] = [];
    const run = async (...argv: string[]) => {
      const r = await cli(...argv);
      outputs.push(r);
      return r;
    };
    await deploy.blue.query(`${APP_SQL}; ${writeLoadTable('writes')};
      CREATE TABLE notes (body text NOT NULL, n int); ALTER TABLE notes REPLICA IDENTITY FULL;
      INSERT INTO notes VALUES ('a', 1), ('b', 2), ('c', 3);
      INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 20) g;
      GRANT USAGE ON SCHEMA public, billing TO app_writer;
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, billing TO app_writer;
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app_writer`);
    const plain = deploy.yaml();
    const init = await run('pair', 'init', '-c', plain);
    expect(init.stderr + init.stdout, 'pair init').toMatch(/paired: blue \(live\) -> green \(standby\)/);
    expect(init.code).toBe(0);
    // The keyless table with REPLICA IDENTITY FULL is paired, and its updates and deletes replicate.
    await deploy.blue.query(`UPDATE notes SET n = 20 WHERE body = 'b'; DELETE FROM notes WHERE body = 'c'`);
    const notes = async (c: pg.Client) =>
      JSON.stringify((await c.query('SELECT body, n FROM notes ORDER BY body')).rows);
    await eventually('notes to replicate', async () => (await notes(deploy.green)) === (await notes(deploy.blue)));
    expect(await notes(deploy.green)).toBe('[{"body":"a","n":1},{"body":"b","n":20}]');
    expect((await run('pair', 'status', '-c', plain)).code).toBe(0);
    // The standby got the table's replica identity; without it the gate refuses (green publishes after a switch).
    const identity = `SELECT relreplident AS r FROM pg_class WHERE oid = 'notes'::regclass`;
    expect((await deploy.green.query(identity)).rows[0].r).toBe('f');
    await deploy.green.query('ALTER TABLE notes REPLICA IDENTITY DEFAULT');
    const refused = await run('cutover', '--dry-run', '-c', plain);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain(
      'on green, which publishes after the switch: updates and deletes cannot replicate (and fail on the publisher): public.notes (no primary key); run on green: ALTER TABLE public.notes REPLICA IDENTITY FULL (or add a primary key)',
    );
    await deploy.green.query('ALTER TABLE notes REPLICA IDENTITY FULL');

    const bouncer = await startPgBouncer(as(pair.blue.url, 'app_writer', 'app-secret'));
    stops.push(() => bouncer.stop());
    const config = deploy.yaml(
      `router:\n  kind: pgbouncer\n  admin: ${bouncer.adminUrl}\n  config: ${bouncer.iniPath}\n  database: ${bouncer.database}\n`,
    );
    const load = startWriteLoad(bouncer.url, 'writes', { clients: 16 });
    let result;
    try {
      await load.waitForMore(200);
      for (const command of ['cutover', 'cutback'] as const) {
        expect((await run(command, '--dry-run', '-c', config)).code, `${command} --dry-run`).toBe(0);
        const r = await run(command, '--yes', '-c', config);
        expect(r.stderr + r.stdout, command).toMatch(/done/);
        expect(r.code, command).toBe(0);
        // The split-brain watch (a slot and a publication on the old side) needs no superuser either.
        expect(r.stderr, command).toContain(`split-brain watch armed on ${command === 'cutover' ? 'blue' : 'green'}`);
        const live = command === 'cutover' ? pair.green : pair.blue;
        expect(await missingOn(live, load.acknowledgedWrites()), `after ${command}`).toEqual([]);
        await load.waitForMore(200);
        // Updates and deletes on the keyless table work on the new live side and reach the other.
        const [now, other] = command === 'cutover' ? [deploy.green, deploy.blue] : [deploy.blue, deploy.green];
        await now.query(
          `UPDATE notes SET n = n + 1; DELETE FROM notes WHERE body = 'a'; INSERT INTO notes VALUES ('a', 1)`,
        );
        await eventually(`notes after ${command}`, async () => (await notes(other)) === (await notes(now)));
      }
      expect((await run('pair', 'status', '-c', config)).code).toBe(0);
      const watch = await run('pair', 'watch', '--once', '-c', config);
      expect(watch.stdout).toMatch(/ok.*no write on green \(fenced\) since the switch/);
      expect(watch.code).toBe(0);
    } finally {
      result = await load.stop();
    }
    console.log(
      `managed role: ${result.acknowledged.length} writes acknowledged, ${result.failed} failed, max latency ${Math.round(result.maxLatencyMs)} ms`,
    );
    expect(result.errors).toEqual({});
    expect(result.failed).toBe(0);
    expect(await missingOn(pair.blue, result.acknowledged)).toEqual([]);

    // The password is in no output, no ledger row and no catalog a non-superuser can read.
    for (const o of outputs) {
      expect(o.stdout).not.toContain(PASSWORD);
      expect(o.stderr).not.toContain(PASSWORD);
    }
    for (const c of [deploy.blue, deploy.green]) expect(await ledgerRows(c)).not.toContain(PASSWORD);
    // The subscription (blue -> green after the cutback, on green) holds it, where only superusers can read it.
    await expect(deploy.green.query('SELECT subconninfo FROM pg_subscription')).rejects.toThrow(/permission denied/);
    const { rows } = await pair.green.client.query<{ n: string; c: string }>(
      `SELECT subname AS n, subconninfo AS c FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(rows.map((r) => [r.n, r.c.includes(PASSWORD)])).toEqual([['switchyard_blue_to_green_g3', true]]);
  }, 240_000);

  it('an init that fails midway is named by every later command, with how to resume or tear down; a rerun resumes', async () => {
    const pair = await freshPair('', { major: 17 });
    const deploy = await managedRole(pair);
    await deploy.blue.query(APP_SQL);
    // The subscription logs in as its own role, whose password in the password file is wrong.
    for (const side of [pair.blue, pair.green])
      await side.client.query(
        `DO $$ BEGIN CREATE ROLE deploy_repl LOGIN REPLICATION PASSWORD 'repl-Right-91c'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
    const passfile = process.env.PGPASSFILE!;
    const u = new URL(pair.blue.url);
    const pgpass = (password: string) =>
      writeFileSync(
        passfile,
        `${u.hostname}:${u.port}:*:deploy_repl:${password}\n${u.hostname}:*:*:deploy:${PASSWORD}\n`,
        {
          mode: 0o600,
        },
      );
    // It reads what it carries (the application tables; pair init grants it the heartbeat itself).
    await deploy.blue.query(`GRANT USAGE ON SCHEMA public, billing TO deploy_repl;
      GRANT SELECT ON ALL TABLES IN SCHEMA public, billing TO deploy_repl`);
    pgpass('repl-Wrong-55d');
    const config = deploy.yaml('  replicationUser: deploy_repl\n');
    const init = await cli('pair', 'init', '-c', config);
    expect(init.code).not.toBe(0);
    expect(init.stderr).toMatch(
      /creating subscription switchyard_blue_to_green_g1 on the standby: .*password authentication failed/,
    );
    const said =
      /switchyard pair init failed after step slot at \S+: creating subscription switchyard_blue_to_green_g1 on the standby: .*password authentication failed for user "deploy_repl".*(\nfix: |; )once the cause is fixed, run switchyard pair init again \(it resumes: every step looks before it acts\), or switchyard pair teardown to remove what it made/s;
    const status = await cli('pair', 'status', '-c', config);
    expect(status.code).toBe(1);
    expect(status.stdout + status.stderr).toMatch(/blue and green say the pair is initializing: /);
    expect(status.stdout + status.stderr).toMatch(said);
    const cutover = await cli('cutover', '--dry-run', '-c', config);
    expect(cutover.code).not.toBe(0);
    expect(cutover.stderr).toMatch(said);
    for (const o of [init, status, cutover])
      for (const secret of [PASSWORD, 'repl-Wrong-55d', 'repl-Right-91c'])
        expect(o.stdout + o.stderr).not.toContain(secret);
    for (const c of [deploy.blue, deploy.green]) {
      const rows = await ledgerRows(c);
      for (const secret of [PASSWORD, 'repl-Wrong-55d']) expect(rows).not.toContain(secret);
    }

    // The cause fixed, the same command resumes and the record is gone.
    pgpass('repl-Right-91c');
    const again = await cli('pair', 'init', '-c', config);
    expect(again.stdout).toMatch(/paired: blue \(live\) -> green \(standby\)/);
    expect(again.code).toBe(0);
    expect((await deploy.blue.query('SELECT count(*)::int AS n FROM switchyard.pair_init')).rows[0].n).toBe(0);
    expect((await cli('pair', 'status', '-c', config)).code).toBe(0);
  }, 120_000);

  it('preflight on the pair names each privilege the deploy role lacks, with the statement that gives it', async () => {
    const pair = await freshPair('', { major: 17 });
    const deploy = await managedRole(pair);
    await deploy.blue.query(APP_SQL);
    await prepareSession(deploy.blue);
    const source = await introspect(deploy.blue, { includeSchemas: ['public', 'billing'] });
    const target = {
      ...source,
      schemas: source.schemas.map((sc) => ({
        ...sc,
        tables: sc.tables.map((t) =>
          t.name === 'customers'
            ? {
                ...t,
                columns: [
                  ...t.columns,
                  { ...t.columns.find((c) => c.name === 'email')!, name: 'note', nullable: true },
                ],
              }
            : t,
        ),
      })),
    };
    const v = await serverVersion(deploy.blue);
    const plan = buildPlan(source, target, {
      name: 'add_note',
      number: 1,
      server: { version: v.text, versionNum: v.num },
    });
    const written = await writePlanFiles(plan, join(deploy.dir, 'plans'), join(deploy.dir, 'migrations'));
    const router = `router:\n  kind: pgbouncer\n  admin: postgres://pgbouncer@127.0.0.1:1/pgbouncer\n  config: ${join(deploy.dir, 'pgbouncer.ini')}\n  database: app\n`;
    const withRouter = deploy.yaml(router);
    const checks = async (config = withRouter) => {
      const r = await cli('preflight', written.planFile, '-c', config, '--json');
      for (const secret of [PASSWORD, 'app-secret']) expect(r.stdout + r.stderr).not.toContain(secret);
      const out = JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string; fix: string }[] };
      return Object.fromEntries(
        out.checks.filter((c) => c.id.startsWith('pair-privileges-')).map((c) => [c.id.slice(16), c]),
      );
    };
    const [blue, green] = [pair.blue.client, pair.green.client];
    // The plan and its SQL files hold no password either.
    for (const file of [written.planFile, ...readdirSync(written.sqlDir).map((f) => join(written.sqlDir, f))])
      expect(readFileSync(file, 'utf8')).not.toContain(PASSWORD);

    // Everything granted: init and status pass; cutover through PgBouncer needs nothing more, but the role could
    // not fence app_writer's direct connections to the old side afterwards, and preflight says so.
    const all = await checks();
    expect([all.init!.status, all.switch!.status, all.status!.status]).toEqual(['pass', 'warn', 'pass']);
    expect(all.switch!.fix).toBe(
      'on live: ALTER ROLE deploy CREATEROLE; GRANT app_writer TO deploy WITH ADMIN OPTION, INHERIT FALSE, SET FALSE; ' +
        'on standby: ALTER ROLE deploy CREATEROLE; GRANT app_writer TO deploy WITH ADMIN OPTION, INHERIT FALSE, SET FALSE',
    );
    // Fenced by application roles (no pooler), the same privilege is required.
    const roles = await checks(deploy.yaml());
    expect(roles.switch).toMatchObject({ status: 'fail' });
    expect(roles.switch!.detail).toContain(
      'live (deploy): no ADMIN OPTION on app_writer (the fence makes app_writer read-only',
    );

    // One privilege taken away at a time, and given back.
    const revoked = async (db: pg.Client, take: string, give: string) => {
      await db.query(take);
      try {
        return await checks();
      } finally {
        await db.query(give);
      }
    };
    const noReplication = await revoked(blue, 'ALTER ROLE deploy NOREPLICATION', 'ALTER ROLE deploy REPLICATION');
    expect(noReplication.init).toMatchObject({ status: 'fail', fix: 'on live: ALTER ROLE deploy REPLICATION' });
    const noSubscription = await revoked(
      green,
      'REVOKE pg_create_subscription FROM deploy',
      'GRANT pg_create_subscription TO deploy',
    );
    expect(noSubscription.init).toMatchObject({
      status: 'fail',
      fix: 'on standby: GRANT pg_create_subscription TO deploy',
    });
    const noStats = await revoked(green, 'REVOKE pg_read_all_stats FROM deploy', 'GRANT pg_read_all_stats TO deploy');
    expect(noStats.switch!.status).toBe('fail');
    expect(noStats.switch!.fix).toContain('on standby: GRANT pg_read_all_stats TO deploy');
    const noSignal = await revoked(blue, 'REVOKE pg_signal_backend FROM deploy', 'GRANT pg_signal_backend TO deploy');
    expect(noSignal.switch!.fix).toContain('on live: GRANT pg_signal_backend TO deploy');
    const noCreate = await revoked(
      blue,
      `ALTER DATABASE ${ident(pair.blue.name)} OWNER TO postgres`,
      `ALTER DATABASE ${ident(pair.blue.name)} OWNER TO deploy`,
    );
    expect(noCreate.init).toMatchObject({
      status: 'fail',
      fix: `on live: GRANT CREATE ON DATABASE ${pair.blue.name} TO deploy`,
    });
    await blue.query(`DO $$ BEGIN CREATE ROLE legacy_owner; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    const notOwner = await revoked(
      blue,
      'ALTER TABLE billing.events OWNER TO legacy_owner',
      'ALTER TABLE billing.events OWNER TO deploy',
    );
    expect(notOwner.init).toMatchObject({ status: 'fail', fix: 'on live: GRANT legacy_owner TO deploy' });

    // A subscription role with no password anywhere switchyard looks: PostgreSQL 16+ would refuse the subscription.
    for (const side of [blue, green])
      await side.query(
        `DO $$ BEGIN CREATE ROLE deploy_nopw LOGIN REPLICATION; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
    const r = await cli(
      'preflight',
      written.planFile,
      '-c',
      deploy.yaml(`  replicationUser: deploy_nopw\n${router}`),
      '--json',
    );
    const init = (JSON.parse(r.stdout) as { checks: { id: string; detail: string; fix: string }[] }).checks.find(
      (c) => c.id === 'pair-privileges-init',
    )!;
    expect(init.detail).toContain(
      "standby (deploy): no password for the subscription to live (PostgreSQL 16+ requires one in a non-superuser's subscription connection)",
    );
    // ... and which may not read the tables the initial copy reads as it.
    expect(init.fix).toBe(
      'on live: GRANT USAGE ON SCHEMA billing TO deploy_nopw; GRANT SELECT ON ALL TABLES IN SCHEMA billing TO deploy_nopw; ' +
        'on live: GRANT USAGE ON SCHEMA public TO deploy_nopw; GRANT SELECT ON ALL TABLES IN SCHEMA public TO deploy_nopw; ' +
        "on standby: put the password in the live side's URL, or in PGPASSWORD, ~/.pgpass or the service file where switchyard runs",
    );
  }, 120_000);
});

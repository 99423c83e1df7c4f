// Commands that only read change nothing on the user's server (issue #13, point 3). On PostgreSQL 15 and 17:
// - as a role that may only connect and SELECT, with default_transaction_read_only = on, every read-only
//   command works and the server's databases, roles, schemas and relations are identical afterwards;
// - as a superuser whose every statement the server logs, the log shows nothing but reads.
// The shadow build runs on a throwaway server of the target's major (SWITCHYARD_SHADOW_DB is cleared here).
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_DIR } from '../../../src/commands/demo.js';
import { startEmbedded, type EmbeddedServer } from '../../../src/rehearsal/embedded.js';
import { cli } from '../../support/cli.js';

const READ = /^(SELECT|SHOW|SET|RESET|BEGIN|START TRANSACTION|COMMIT|ROLLBACK|WITH)\b/i;
const WRITE =
  /\b(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|GRANT|REVOKE|TRUNCATE|COPY|VACUUM|COMMENT|DO|CALL|LOCK|REINDEX|CLUSTER|REFRESH|SECURITY LABEL)\s/i;

const CATALOG = `
  SELECT (SELECT json_agg(datname ORDER BY datname) FROM pg_database) AS databases,
         (SELECT json_agg(rolname ORDER BY rolname) FROM pg_roles) AS roles,
         (SELECT json_agg(nspname ORDER BY nspname) FROM pg_namespace) AS schemas,
         (SELECT json_agg(format('%s.%s:%s', n.nspname, c.relname, c.relkind) ORDER BY 1)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) AS relations`;

interface Fixture {
  readonly server: EmbeddedServer;
  /** What the server printed, in chunks as they came. */
  readonly log: string[];
  readonly admin: pg.Client;
  url(role: string): string;
}

async function start(major: number): Promise<Fixture> {
  const log: string[] = [];
  const server = await startEmbedded({ major, settings: { log_line_prefix: '@@%u|%a|' }, onLog: (m) => log.push(m) });
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE app');
  const app = new pg.Client({ connectionString: server.url('app') });
  await app.connect();
  await app.query(readFileSync(join(EXAMPLE_DIR, 'source.sql'), 'utf8'));
  await app.query(`
    CREATE ROLE reader LOGIN PASSWORD 'reader-pw';
    ALTER ROLE reader SET default_transaction_read_only = on;
    GRANT CONNECT ON DATABASE app TO reader;
    GRANT USAGE ON SCHEMA public TO reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader;
    GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO reader;
    CREATE ROLE auditor LOGIN SUPERUSER PASSWORD 'auditor-pw';
    ALTER ROLE auditor SET log_statement = 'all';`);
  await app.end();
  const url = (role: string) => {
    const u = new URL(server.url('app'));
    u.username = role;
    u.password = `${role}-pw`;
    return u.toString();
  };
  return { server, log, admin, url };
}

async function catalog(f: Fixture): Promise<unknown> {
  return (await f.admin.query(CATALOG)).rows[0];
}

/** Every read-only command, as a user runs it, against the database at `url`. */
async function readOnlyCommands(url: string): Promise<Array<{ command: string; code: number; stderr: string }>> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-readonly-'));
  copyFileSync(join(EXAMPLE_DIR, 'schema.yaml'), join(dir, 'schema.yaml'));
  const cfg = join(dir, 'switchyard.yaml');
  writeFileSync(cfg, `database: ${url}\nschema: schema.yaml\n`);
  const plan = join(dir, 'plans', '0001_ro.plan.yaml');
  const runs: Array<readonly string[]> = [
    ['validate', join(dir, 'schema.yaml')],
    ['introspect', '--db', url],
    ['diff', '--db', url],
    ['plan', '--name', 'ro', '--dry-run'],
    ['plan', '--name', 'ro'],
    ['show', plan],
    ['lint', plan],
    ['status', plan],
    ['preflight', plan],
    ['rehearse', plan, '--db', url],
  ];
  const out = [];
  for (const argv of runs) {
    const r = await cli('--config', cfg, ...argv);
    out.push({ command: argv[0]!, code: r.code, stderr: r.stderr });
  }
  return out;
}

/** Statements the server logged for `role`, one per entry (continuation lines joined). */
function loggedStatements(log: readonly string[], role: string): string[] {
  const records = log.join('').split(/\n(?=@@)/);
  const out: string[] = [];
  for (const r of records) {
    if (!r.startsWith(`@@${role}|`)) continue;
    const m = /LOG:\s+(?:statement|execute [^:]*):\s+([\s\S]*)$/.exec(r);
    if (m) out.push(m[1]!.trim());
  }
  return out;
}

const majors = [15, 17];

describe.each(majors)('read-only commands on PostgreSQL %i', (major) => {
  let f: Fixture;
  const shadowEnv = process.env.SWITCHYARD_SHADOW_DB;

  beforeAll(async () => {
    delete process.env.SWITCHYARD_SHADOW_DB;
    f = await start(major);
  }, 120_000);

  afterAll(async () => {
    if (shadowEnv !== undefined) process.env.SWITCHYARD_SHADOW_DB = shadowEnv;
    await f?.admin.end().catch(() => undefined);
    await f?.server.stop();
  });

  it('work as a role with only CONNECT and SELECT, read-only by default, and leave the catalog as it was', async () => {
    const before = await catalog(f);
    const runs = await readOnlyCommands(f.url('reader'));
    for (const r of runs) {
      // lint exits 1 on the example's hazards, preflight on its failed checks (a reader may not CREATE): both ran.
      const allowed = r.command === 'lint' || r.command === 'preflight' ? [0, 1] : [0];
      expect(allowed, `${r.command}: ${r.stderr}`).toContain(r.code);
    }
    expect(await catalog(f)).toEqual(before);
  }, 240_000);

  it('send nothing but reads, as the server logs every statement of a superuser', async () => {
    const before = await catalog(f);
    const runs = await readOnlyCommands(f.url('auditor'));
    for (const r of runs) expect(r.code, `${r.command}: ${r.stderr}`).toBeLessThan(2);
    const statements = loggedStatements(f.log, 'auditor');
    expect(statements.length).toBeGreaterThan(20);
    const writes = statements.filter((s) => !READ.test(s) || (WRITE.test(s) && !/^(SELECT|WITH)\b/i.test(s)));
    expect(writes).toEqual([]);
    expect(await catalog(f)).toEqual(before);
  }, 240_000);
});

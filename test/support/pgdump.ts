// `pg_dump --schema-only`, normalized so that two dumps of the same schema compare equal as text: a second
// opinion on "the rollback restored the schema exactly", independent of switchyard's own introspection.
//
// What the normalization removes, and why:
// - comment lines (`-- Name: ...; Type: ...`, which also carry the dump's version), blank lines, session SETs
//   and `SELECT pg_catalog.set_config(...)`, and the `\restrict` / `\unrestrict` lines of newer pg_dump
//   releases (random keys): none of them describe the schema.
// - column order inside each CREATE TABLE (...) block: the lines are sorted, trailing commas dropped. A
//   rolled-back DROP COLUMN adds the column back last, and PostgreSQL cannot reorder columns without
//   rewriting the table, so physical column order is not comparable (the fingerprint ignores it too).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The pg_dump binary: 15 here, which refuses servers newer than itself. */
export const PG_DUMP = process.env.SWITCHYARD_PG_DUMP ?? '/usr/bin/pg_dump';

/** The normalized schema-only dump of the database `url` names. The password goes through PGPASSWORD only. */
export async function schemaDump(url: string): Promise<string> {
  const u = new URL(url);
  const env = {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
    PGCONNECT_TIMEOUT: '10',
  };
  try {
    const { stdout } = await run(PG_DUMP, ['--schema-only', '--no-owner', '--no-privileges'], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return normalizeDump(stdout);
  } catch (e) {
    // The message of a failed execFile names the command line only (no environment); keep stderr, which
    // says why (version mismatch, connection refused).
    const err = e as { stderr?: string; message?: string };
    throw new Error(`pg_dump failed: ${(err.stderr ?? err.message ?? String(e)).trim()}`);
  }
}

const DROPPED = [/^--/, /^\s*$/, /^SET\s/, /^SELECT pg_catalog\.set_config\(/, /^\\(un)?restrict\b/];

export function normalizeDump(text: string): string {
  const lines = text.split('\n').filter((l) => !DROPPED.some((re) => re.test(l)));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    out.push(line);
    if (!/^CREATE (UNLOGGED )?TABLE .*\($/.test(line)) continue;
    const body: string[] = [];
    while (i + 1 < lines.length && !/^\)/.test(lines[i + 1]!)) body.push(lines[++i]!.replace(/,$/, ''));
    out.push(...body.sort());
  }
  return `${out.join('\n')}\n`;
}

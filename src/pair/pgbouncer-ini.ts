// pgbouncer.ini: the [databases] entry, parsed and rewritten the way PgBouncer's loader reads it (libusual ini,
// then key=value pairs with single-quoted values where '' is a quote), and replaced in one step.
import { chmod, chown, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { parseConninfo } from '../db/conninfo.js';
import { redactText, redactUrl } from '../db/redact.js';
import { RouterError } from './errors.js';

export interface ConnParam {
  readonly key: string;
  readonly value: string;
}

/** Where a URL points: the three entry parameters switchyard owns. */
export interface Endpoint {
  /** Host name, address or socket folder; absent: PgBouncer's unix_socket_dir. */
  readonly host?: string;
  readonly port: number;
  readonly dbname: string;
}

export function endpointOf(url: string): Endpoint {
  const k = parseConninfo(url);
  const dbname = k.dbname || k.user;
  if (!dbname)
    throw new UsageError(
      `${redactUrl(url)} names no database: add it, e.g. postgres://user@host:5432/app or dbname=app`,
    );
  return { ...(k.host ? { host: k.host } : {}), port: Number(k.port ?? 5432), dbname };
}

export function parseConnstr(connstr: string): ConnParam[] {
  const out: ConnParam[] = [];
  const s = connstr;
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const fail = (why: string): never => {
    throw new RouterError(
      'ROUTER_ENTRY',
      `cannot read the connection string ${JSON.stringify(redactText(connstr))}: ${why}`,
    );
  };
  for (;;) {
    skipSpace();
    if (i >= s.length) return out;
    const start = i;
    while (i < s.length && s[i] !== '=' && s[i] !== ' ') i++;
    const key = s.slice(start, i);
    skipSpace();
    if (s[i] !== '=' || !key) fail(`expected key=value at ${JSON.stringify(s.slice(start, start + 20))}`);
    i++;
    skipSpace();
    let value = '';
    if (s[i] === "'") {
      for (i++; ; i++) {
        if (i >= s.length) fail(`unterminated quote in the value of ${key}`);
        if (s[i] === "'") {
          if (s[i + 1] !== "'") break;
          i++;
        }
        value += s[i];
      }
      i++;
    } else {
      const v = i;
      while (i < s.length && s[i] !== ' ') i++;
      value = s.slice(v, i);
    }
    if (!value) fail(`empty value for ${key}`);
    out.push({ key, value });
  }
}

/** A value as PgBouncer reads it: bare when it has no space or quote, else in single quotes with '' for '. */
export function connValue(value: string): string {
  if (value === '' || /[\n\r\0]/.test(value))
    throw new RouterError(
      'ROUTER_ENTRY',
      `a pgbouncer.ini value cannot be empty or hold a line break: ${JSON.stringify(value)}`,
    );
  return /^[^\s']+$/.test(value) ? value : `'${value.replaceAll("'", "''")}'`;
}

export function formatConnstr(params: readonly ConnParam[]): string {
  return params.map((p) => `${p.key}=${connValue(p.value)}`).join(' ');
}

export interface DatabaseEntry {
  /** 0-based line index in the file. */
  readonly line: number;
  readonly params: readonly ConnParam[];
  /** The line up to the connection string (indent, name, `=`) and what follows it (trailing space, \r). */
  readonly head: string;
  readonly tail: string;
}

const ENTRY = /^(\s*("(?:[^"]|"")+"|[A-Za-z0-9_.*-]+)[ \t]*=[ \t]*)(.*?)(\s*)$/;

/** The `database` line of [databases]; a missing or repeated one is an error naming the file and the fix. */
export function findDatabaseEntry(ini: string, database: string, file: string): DatabaseEntry {
  const lines = ini.split('\n');
  let section: string | undefined;
  const found: number[] = [];
  const names: string[] = [];
  let sawSection = false;
  for (const [n, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const sect = /^\[([^\]]*)\]/.exec(line);
    if (sect) {
      section = sect[1];
      sawSection ||= section === 'databases';
      continue;
    }
    if (section !== 'databases') continue;
    const m = ENTRY.exec(raw);
    if (!m) continue;
    const name = m[2]!.startsWith('"') ? m[2]!.slice(1, -1).replaceAll('""', '"') : m[2]!;
    names.push(name);
    if (name === database) found.push(n);
  }
  const example = `${database} = host=10.0.0.5 port=5432 dbname=${database}`;
  if (!sawSection)
    throw new RouterError(
      'ROUTER_ENTRY',
      `${file} has no [databases] section: add one with the line \`${example}\`, or point router.config at the pgbouncer.ini PgBouncer runs with`,
    );
  if (found.length === 0) {
    const known = names.length ? ` (it has ${names.join(', ')})` : ' (it has none)';
    throw new RouterError(
      'ROUTER_ENTRY',
      `${file} has no [databases] entry ${JSON.stringify(database)}${known}: add the line \`${example}\` under [databases], or set router.database to the entry your application connects to`,
    );
  }
  if (found.length > 1) {
    throw new RouterError(
      'ROUTER_ENTRY',
      `${file} has ${found.length} [databases] entries ${JSON.stringify(database)} (lines ${found.map((n) => n + 1).join(', ')}): keep one`,
    );
  }
  const n = found[0]!;
  const m = ENTRY.exec(lines[n]!)!;
  return { line: n, params: parseConnstr(m[3]!), head: m[1]!, tail: m[4]! };
}

/** The ini with only the entry's host, port and dbname changed (other parameters and lines byte-for-byte). */
export function rewriteDatabaseEntry(ini: string, database: string, target: Endpoint, file: string): string {
  const entry = findDatabaseEntry(ini, database, file);
  const wanted: ConnParam[] = [
    ...(target.host !== undefined ? [{ key: 'host', value: target.host }] : []),
    { key: 'port', value: String(target.port) },
    { key: 'dbname', value: target.dbname },
  ];
  const owned = new Set(['host', 'port', 'dbname']);
  const params: ConnParam[] = [];
  let placed = false;
  for (const p of entry.params) {
    if (!owned.has(p.key)) params.push(p);
    else if (!placed) {
      params.push(...wanted);
      placed = true;
    }
  }
  if (!placed) params.unshift(...wanted);
  const lines = ini.split('\n');
  lines[entry.line] = entry.head + formatConnstr(params) + entry.tail;
  return lines.join('\n');
}

/** Where the entry points now, with PgBouncer's defaults (port 5432, dbname = the entry name). */
export function entryEndpoint(entry: DatabaseEntry, database: string): Endpoint {
  const get = (k: string) => entry.params.find((p) => p.key === k)?.value;
  const host = get('host');
  return {
    ...(host !== undefined ? { host } : {}),
    port: Number(get('port') ?? 5432),
    dbname: get('dbname') ?? database,
  };
}

export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return (a.host ?? '').toLowerCase() === (b.host ?? '').toLowerCase() && a.port === b.port && a.dbname === b.dbname;
}

/** Replaces `file` in one step (temporary file in the same folder, then rename), keeping its mode and owner. */
export async function replaceFile(file: string, text: string): Promise<void> {
  const before = await stat(file);
  const temp = join(dirname(file), `.${basename(file)}.switchyard-${randomBytes(4).toString('hex')}`);
  try {
    const h = await open(temp, 'wx', before.mode & 0o7777);
    try {
      await h.writeFile(text);
      await h.sync();
    } finally {
      await h.close();
    }
    await chmod(temp, before.mode & 0o7777);
    await chown(temp, before.uid, before.gid).catch(() => undefined); // only root may give files away
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw new RouterError(
      'ROUTER_CONFIG',
      `cannot rewrite ${file}: ${(e as Error).message}; switchyard needs write access to it and its folder`,
      { cause: e },
    );
  }
}

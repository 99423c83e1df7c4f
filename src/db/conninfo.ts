// Connection strings as libpq reads them: postgres:// URLs and `key=value` strings both become one record of
// libpq keywords, so that everything after parsing (service files, environment, sslmode) has one shape.
// A string libpq would refuse is refused here too, as a one-line UsageError with the password masked.
import { UsageError } from '../errors.js';
import { redactUrl } from './redact.js';

/** libpq keywords to values, e.g. `{ host: 'db', dbname: 'app', sslmode: 'require' }`. */
export type Conninfo = Readonly<Record<string, string>>;

/** The keywords switchyard honours (libpq's meaning for each). */
export const SUPPORTED = new Set([
  'host',
  'port',
  'dbname',
  'user',
  'password',
  'service',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'fallback_application_name',
  'connect_timeout',
  'options',
  'client_encoding',
]);

// libpq knows these, node-postgres cannot do what they ask: refused by name rather than silently ignored.
const UNSUPPORTED = new Set([
  'hostaddr',
  'passfile',
  'require_auth',
  'channel_binding',
  'keepalives',
  'keepalives_idle',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
  'replication',
  'gssencmode',
  'sslnegotiation',
  'sslcompression',
  'sslpassword',
  'sslcertmode',
  'sslcrl',
  'sslcrldir',
  'sslsni',
  'requirepeer',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'krbsrvname',
  'gsslib',
  'gssdelegation',
  'target_session_attrs',
  'load_balance_hosts',
]);

export function isUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s.trim());
}

/** Parses a postgres:// URL or a `key=value` string into libpq keywords. */
export function parseConninfo(s: string): Conninfo {
  const out = isUrl(s) ? parseUrl(s.trim()) : parseKeyValue(s);
  for (const key of Object.keys(out)) {
    if (SUPPORTED.has(key)) continue;
    const why = UNSUPPORTED.has(key)
      ? `connection option "${key}" is not supported by switchyard`
      : `invalid connection option "${key}"`;
    // The string is not quoted back: a misspelt key (`passwrd=`) would show its value unmasked.
    throw new UsageError(`${why} in the ${isUrl(s) ? 'database URL' : 'connection string'}`);
  }
  return out;
}

function parseUrl(s: string): Record<string, string> {
  const bad = (why: string): never => {
    const expected = 'expected postgres://user:password@host:port/database?sslmode=...';
    throw new UsageError(`the database URL ${redactUrl(s)} is not valid: ${why} (${expected})`);
  };
  let u: URL;
  let noHost = false;
  try {
    u = new URL(s);
  } catch {
    // libpq allows `postgres://user@/db` (the default host); WHATWG URLs need a host after `@`.
    if (!s.includes('@/') || !URL.canParse(s.replace('@/', '@x/'))) bad('it cannot be parsed');
    u = new URL(s.replace('@/', '@x/'));
    noHost = true;
  }
  const decode = (v: string, what: string) => {
    try {
      return decodeURIComponent(v);
    } catch {
      return bad(`the ${what} has an invalid %-escape`);
    }
  };
  const out: Record<string, string> = {};
  const host = noHost ? '' : decode(u.hostname, 'host').replace(/^\[(.*)\]$/, '$1');
  if (host.includes(',')) bad('several hosts are not supported');
  if (host) out.host = host;
  if (u.port) out.port = u.port;
  if (u.username) out.user = decode(u.username, 'user name');
  if (u.password) out.password = decode(u.password, 'password');
  if (u.pathname.length > 1) out.dbname = decode(u.pathname.slice(1), 'database name');
  // Not URLSearchParams: libpq does not read `+` as a space.
  for (const pair of u.search.slice(1).split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq < 1) bad(`the parameter "${decode(pair, 'parameter')}" has no value`);
    out[decode(pair.slice(0, eq), 'parameter')] = decode(pair.slice(eq + 1), 'parameter');
  }
  return out;
}

/** libpq's conninfo grammar: `key = value` pairs; values bare or in single quotes; `\` escapes the next character. */
export function parseKeyValue(s: string): Record<string, string> {
  const bad = (why: string): never => {
    throw new UsageError(`the connection string ${redactUrl(s)} is not valid: ${why}`);
  };
  const out: Record<string, string> = {};
  let i = 0;
  const space = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  for (space(); i < s.length; space()) {
    const start = i;
    while (i < s.length && s[i] !== '=' && !/\s/.test(s[i]!)) i++;
    const key = s.slice(start, i);
    space();
    if (s[i] !== '=') bad(`missing "=" after "${key}"`);
    i++;
    space();
    let value = '';
    const quoted = s[i] === "'";
    if (quoted) i++;
    for (;;) {
      if (i >= s.length) {
        if (quoted) bad('unterminated quoted string');
        break;
      }
      const c = s[i]!;
      if (quoted ? c === "'" : /\s/.test(c)) break;
      if (c === '\\' && i + 1 < s.length) i++;
      value += s[i++];
    }
    if (quoted) i++;
    out[key] = value;
  }
  return out;
}

/** A `key=value` string libpq reads back as `info` (values quoted when they need it). */
export function formatKeyValue(info: Conninfo): string {
  const quote = (v: string) => (v !== '' && /^[^\s'\\]+$/.test(v) ? v : `'${v.replace(/['\\]/g, '\\$&')}'`);
  return Object.entries(info)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(' ');
}

/** The same connection string (URL or key=value, kept in its form) with `changes` applied; undefined removes. */
export function withKeywords(s: string, changes: Readonly<Record<string, string | undefined>>): string {
  const info: Record<string, string> = { ...parseConninfo(s) };
  // `postgres://user@/db` is valid libpq but no WHATWG URL: such a string comes back as key=value.
  if (!isUrl(s) || !URL.canParse(s.trim())) {
    for (const [k, v] of Object.entries(changes))
      if (v === undefined) delete info[k];
      else info[k] = v;
    return formatKeyValue(info);
  }
  const u = new URL(s.trim());
  // The query is rebuilt by hand: URLSearchParams would re-encode every value, spaces as `+`, which libpq keeps.
  let query = u.search.slice(1).split('&').filter(Boolean);
  for (const [k, v] of Object.entries(changes)) {
    query = query.filter((p) => decodeURIComponent(p.split('=')[0]!) !== k); // it would win over the URL's part
    if (k === 'dbname') u.pathname = v === undefined ? '' : `/${encodeURIComponent(v)}`;
    else if (k === 'user') u.username = v === undefined ? '' : encodeURIComponent(v);
    else if (k === 'password') u.password = v === undefined ? '' : encodeURIComponent(v);
    else if (v !== undefined) query.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  u.search = query.length ? `?${query.join('&')}` : '';
  return u.toString();
}

/** The password a connection string holds, for masking in messages ('' when none or unreadable). */
export function passwordOf(s: string): string {
  try {
    return parseConninfo(s).password ?? '';
  } catch {
    return '';
  }
}

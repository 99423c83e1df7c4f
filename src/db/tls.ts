// sslmode as libpq means it. What each mode verifies comes from pg-connection-string's libpq mode (the
// maintained mapping, which also reads the certificate files); what it cannot express is added here: `allow`
// and `prefer` are two attempts, one without TLS, and a Unix socket never uses TLS.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { parse } from 'pg-connection-string';
import { UsageError } from '../errors.js';
import type { Conninfo } from './conninfo.js';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** `false` is a plain connection, an object the TLS options of an encrypted one. */
export type Tls = false | ConnectionOptions;

export function isSslMode(v: string): v is SslMode {
  return (SSL_MODES as readonly string[]).includes(v);
}

/**
 * The TLS setting of each attempt, in order (libpq: `allow` tries plain first, `prefer` encrypted first).
 * `home` is where libpq's defaults live (~/.postgresql/root.crt, postgresql.crt, postgresql.key).
 */
export function tlsAttempts(info: Conninfo, home: string): Tls[] {
  const mode = (info.sslmode ?? 'prefer') as SslMode;
  if (mode === 'disable' || info.host?.startsWith('/')) return [false];
  if (mode === 'allow') return [false, tlsOptions('prefer', info, home)];
  if (mode === 'prefer') return [tlsOptions('prefer', info, home), false];
  return [tlsOptions(mode, info, home)];
}

function tlsOptions(mode: SslMode, info: Conninfo, home: string): ConnectionOptions {
  const file = (key: 'sslrootcert' | 'sslcert' | 'sslkey', name: string) => {
    if (info[key] !== undefined) return info[key];
    const fallback = join(home, '.postgresql', name);
    return existsSync(fallback) ? fallback : undefined;
  };
  let rootcert = file('sslrootcert', 'root.crt');
  if (rootcert === 'system') {
    // libpq 16+: the system's trusted CAs, which only make sense with the host name checked.
    if (mode !== 'verify-full')
      throw new UsageError(`weak sslmode "${mode}" may not be used with sslrootcert=system (use "verify-full")`);
    rootcert = undefined;
  }
  const files = {
    sslrootcert: rootcert,
    sslcert: file('sslcert', 'postgresql.crt'),
    sslkey: file('sslkey', 'postgresql.key'),
  };
  const query = new URLSearchParams({ sslmode: mode });
  for (const [k, v] of Object.entries(files)) if (v !== undefined) query.set(k, v);
  try {
    const { ssl } = parse(`postgres://?${query}`, { useLibpqCompat: true });
    return typeof ssl === 'object' ? (ssl as ConnectionOptions) : {};
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES') {
      const key = Object.entries(files).find(([, v]) => v === err.path)?.[0] ?? 'certificate';
      throw new UsageError(
        `cannot read the ${key} file ${err.path}: ${err.code === 'ENOENT' ? 'it does not exist' : 'permission denied'}`,
        { cause: e },
      );
    }
    if (mode === 'verify-ca') {
      throw new UsageError(
        'sslmode=verify-ca needs the root certificate to verify the server with: set sslrootcert (or PGSSLROOTCERT), or put it in ~/.postgresql/root.crt',
        { cause: e },
      );
    }
    throw new UsageError(`cannot set up TLS for sslmode=${mode}: ${err.message}`, { cause: e });
  }
}

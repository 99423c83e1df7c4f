// What libpq would connect with, as node-postgres settings: the connection string, then its service
// (pg_service.conf), then the PG* environment variables, then the defaults, each filling what the one before
// left unset. The password, when none is given, comes from PGPASSFILE or ~/.pgpass when the server asks.
import { homedir } from 'node:os';
import type pg from 'pg';
import pgpass from 'pgpass';
import { UsageError } from '../errors.js';
import { SUPPORTED, parseConninfo, type Conninfo } from './conninfo.js';
import { redactUrl } from './redact.js';
import { readService } from './service.js';
import { isSslMode, tlsAttempts } from './tls.js';

type Env = Readonly<Record<string, string | undefined>>;

/** libpq's environment variables, by the keyword each stands for. */
export const ENVIRONMENT: Readonly<Record<string, string>> = {
  host: 'PGHOST',
  port: 'PGPORT',
  user: 'PGUSER',
  dbname: 'PGDATABASE',
  password: 'PGPASSWORD',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  application_name: 'PGAPPNAME',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  options: 'PGOPTIONS',
  client_encoding: 'PGCLIENTENCODING',
};

/** The keywords in effect for `conninfo` (URL, key=value or undefined for the environment alone). */
export function resolveKeywords(conninfo: string | undefined, database?: string, env: Env = process.env): Conninfo {
  const given: Record<string, string> = { ...(conninfo !== undefined ? parseConninfo(conninfo) : {}) };
  if (database !== undefined) given.dbname = database;
  const serviceName = given.service ?? env.PGSERVICE;
  const service = serviceName ? readService(serviceName, env) : {};
  for (const key of Object.keys(service)) {
    if (SUPPORTED.has(key)) continue;
    throw new UsageError(`connection option "${key}" of service "${serviceName}" is not supported by switchyard`);
  }
  const out: Record<string, string> = {};
  for (const key of SUPPORTED) {
    const envName = ENVIRONMENT[key];
    // libpq treats an empty value as unset, so a later source may still fill it.
    const value = [given[key], service[key], envName ? env[envName] : undefined].find(
      (v) => v !== undefined && v !== '',
    );
    if (value !== undefined) out[key] = value;
  }
  const mode = out.sslmode;
  if (mode !== undefined && !isSslMode(mode)) {
    const from =
      given.sslmode !== undefined
        ? `in ${redactUrl(conninfo ?? '')}`
        : service.sslmode !== undefined
          ? `in service "${serviceName}"`
          : 'in PGSSLMODE';
    const hint = mode === 'no-verify' ? " (node-postgres' no-verify is libpq's require)" : '';
    throw new UsageError(
      `invalid sslmode value "${mode}" ${from}: use disable, allow, prefer, require, verify-ca or verify-full${hint}`,
    );
  }
  if (out.port !== undefined && !/^\d+$/.test(out.port)) throw new UsageError(`invalid port number "${out.port}"`);
  return out;
}

/**
 * node-postgres settings for each attempt (two for sslmode allow/prefer, in libpq's order). Our session name
 * always wins over application_name: switchyard tells its own sessions from the application's by it.
 */
export function clientConfigs(info: Conninfo, applicationName: string, env: Env = process.env): pg.ClientConfig[] {
  const timeout = info.connect_timeout !== undefined ? Number(info.connect_timeout) : 0;
  const base: pg.ClientConfig = {
    ...(info.host !== undefined ? { host: info.host } : {}),
    ...(info.port !== undefined ? { port: Number(info.port) } : {}),
    ...(info.user !== undefined ? { user: info.user } : {}),
    ...(info.dbname !== undefined ? { database: info.dbname } : {}),
    ...(info.options !== undefined ? { options: info.options } : {}),
    ...(info.client_encoding !== undefined ? { client_encoding: info.client_encoding } : {}),
    // libpq: 0 waits forever, anything below 2 s is 2 s.
    ...(timeout > 0 ? { connectionTimeoutMillis: Math.max(timeout, 2) * 1000 } : {}),
    application_name: applicationName,
    // pg calls a password function with its settled parameters, and takes undefined as "no password".
    password: info.password ?? (passwordFile as () => Promise<string>),
  };
  return tlsAttempts(info, env.HOME ?? homedir()).map((ssl) => ({ ...base, ssl }));
}

/** PGPASSFILE or ~/.pgpass (0600 only), matched on host, port, database and user as pg settled them. */
function passwordFile(p: {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
}): Promise<string | undefined> {
  return new Promise((resolve) => pgpass({ host: p.host, port: p.port, database: p.database, user: p.user }, resolve));
}

/**
 * The password libpq would send for `conninfo`: the string's own, its service's, PGPASSWORD, then PGPASSFILE or
 * ~/.pgpass matched on host, port, database and user. `fromEnvironment: false` skips PGPASSWORD (it belongs to
 * the user the environment logs in as, not to another role). Undefined when none is found.
 */
export async function lookupPassword(
  conninfo: string,
  o: { fromEnvironment?: boolean } = {},
  env: Env = process.env,
): Promise<string | undefined> {
  const info = resolveKeywords(conninfo, undefined, o.fromEnvironment === false ? { ...env, PGPASSWORD: '' } : env);
  if (info.password) return info.password;
  const host = info.host ?? 'localhost';
  return passwordFile({
    host: host.startsWith('/') ? 'localhost' : host,
    port: Number(info.port ?? '5432'),
    ...(info.dbname !== undefined || info.user !== undefined ? { database: info.dbname ?? info.user } : {}),
    ...(info.user !== undefined ? { user: info.user } : {}),
  });
}

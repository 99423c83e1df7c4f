// Canonicalization through a real server. A hand-written default like `'active'` and the catalog's
// `'active'::text` mean the same thing; rather than guess PostgreSQL's printing rules, the declared schema is
// built on a scratch ("shadow") database and read back, so both sides of a diff are catalog text.
// The shadow is a temporary database on the same server (same version, same printing), or a throwaway
// embedded server when the role may not create databases.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, type Client, type ConnectionTarget } from '../db/connect.js';
import { InvalidSchemaError, databaseError } from '../errors.js';
import { introspect, serverVersion } from '../introspect/index.js';
import type { Column, DatabaseSchema, Table } from '../schema/model.js';
import { renderDatabase } from '../sql/render/index.js';
import { ident } from '../sql/quote.js';
import { startEmbedded } from './embedded.js';
import { sendOne } from '../db/send.js';

/** Session settings every introspection runs under, so that both sides of a diff print alike. */
export async function prepareSession(client: Client | pg.Client): Promise<void> {
  await client.query("SET search_path TO public; SET timezone TO 'UTC'");
}

export interface CanonicalizeOptions {
  /** Called with a one-line notice (e.g. when falling back to an embedded server). */
  readonly notice?: (message: string) => void;
}

/** The declared schema as the server would print it, change hints and tenants settings kept. */
export async function canonicalize(declared: DatabaseSchema, live: Client, target: ConnectionTarget, options: CanonicalizeOptions = {}): Promise<DatabaseSchema> {
  const schemas = declared.schemas.map((s) => s.name);
  const built = await withShadow(live, target, options, (shadow) => buildAndRead(shadow, declared, schemas));
  return attachHints(built, declared);
}

async function withShadow<T>(live: Client, target: ConnectionTarget, options: CanonicalizeOptions, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const name = 'switchyard_shadow_' + randomBytes(5).toString('hex');
  try {
    await live.query(`CREATE DATABASE ${ident(name)} TEMPLATE template0 ENCODING 'UTF8'`);
  } catch (e) {
    if ((e as { code?: string }).code !== '42501') throw databaseError('creating the shadow database', e);
    const { major } = await serverVersion(live);
    options.notice?.(`the role may not create databases; canonicalizing on a throwaway PostgreSQL ${major >= 18 ? 18 : 17} instead`);
    const server = await startEmbedded({ major: major >= 18 ? 18 : 17 });
    try {
      const c = new pg.Client({ connectionString: server.url() });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    } finally {
      await server.stop();
    }
  }
  try {
    const shadow = await connect(shadowTarget(target, name), 'switchyard-shadow');
    try {
      return await fn(shadow);
    } finally {
      await shadow.end().catch(() => undefined);
    }
  } finally {
    await live.query(`DROP DATABASE IF EXISTS ${ident(name)}`).catch(() => undefined);
  }
}

function shadowTarget(target: ConnectionTarget, database: string): ConnectionTarget {
  if (!target.url) return { database };
  return { url: target.url, database };
}

async function buildAndRead(shadow: pg.Client, declared: DatabaseSchema, schemas: string[]): Promise<DatabaseSchema> {
  await prepareSession(shadow);
  for (const statement of renderDatabase(declared)) {
    try {
      await sendOne(shadow, statement);
    } catch (e) {
      const err = e as { message?: string; code?: string };
      if (err.code && /^(08|53|57|58|XX)/.test(err.code)) throw databaseError('building the shadow database', e);
      throw new InvalidSchemaError([{
        file: '(declared schema)', line: 1, column: 1, path: '',
        message: `PostgreSQL rejects the declared schema: ${err.message ?? String(e)} in: ${statement}`,
        fix: 'correct the expression or type named in the message',
      }]);
    }
  }
  const read = await introspect(shadow, { includeSchemas: schemas });
  // Schemas that PostgreSQL creates by itself (public) still count as declared even when empty.
  return read;
}

/** Copies renamedFrom / up / down / backfill and the tenants section from the declared model. */
export function attachHints(canonical: DatabaseSchema, declared: DatabaseSchema): DatabaseSchema {
  const tables = new Map<string, Table>();
  for (const s of declared.schemas) for (const t of s.tables) tables.set(`${s.name}\0${t.name}`, t);
  const schemas = canonical.schemas.map((s) => ({
    ...s,
    tables: s.tables.map((t) => {
      const d = tables.get(`${s.name}\0${t.name}`);
      if (!d) return t;
      const cols = new Map(d.columns.map((c) => [c.name, c]));
      return {
        ...t,
        ...(d.renamedFrom ? { renamedFrom: d.renamedFrom } : {}),
        columns: t.columns.map((c): Column => {
          const h = cols.get(c.name);
          if (!h) return c;
          return {
            ...c,
            ...(h.renamedFrom ? { renamedFrom: h.renamedFrom } : {}),
            ...(h.up ? { up: h.up } : {}),
            ...(h.down ? { down: h.down } : {}),
            ...(h.backfill ? { backfill: h.backfill } : {}),
          };
        }),
      };
    }),
  }));
  return { schemas, ...(declared.tenants ? { tenants: declared.tenants } : {}) };
}

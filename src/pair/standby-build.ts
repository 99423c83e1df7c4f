// `pair init` builds the standby from live's catalog (catalog.ts), not from the model: every object the
// inventory reads is either written here from the catalog's own definitions or named in a refusal. Before
// anything changes, two checks: the roles live's objects name exist on the standby's cluster (roles are
// cluster-wide, not the pair's to create), and nothing on live is of a class this copy cannot write. The build
// runs in one transaction and is committed only when the standby, read back, has live's full catalog.
import type { Client } from '../db/connect.js';
import { ident } from '../db/quote.js';
import { sendOne } from '../db/send.js';
import { databaseError } from '../errors.js';
import { fail, guarded, pass, type Check, type PreflightPair } from '../executor/preflight/types.js';
import type { Extension } from '../introspect/extensions.js';
import { describeNotModeled, inventory, type NotModeled, type Queryable } from '../introspect/index.js';
import { installExtensions } from '../rehearsal/extensions.js';
import { buildOrder, readCatalog, type Catalog, type CatalogPhase } from './catalog.js';
import { catalogDifferences, catalogFingerprint } from './catalog-compare.js';
import { PairError, StandbyNotEmptyError } from './errors.js';
import { isPublicationName, isWatchPublicationName } from './names.js';

/**
 * Inventory classes the catalog copy does not write: `pair init` refuses a live side holding one. Every other
 * class the inventory lists is written by catalog.ts (and the read-back comparison proves it).
 */
export const NOT_COPIED = new Set([
  'foreign table',
  'foreign server',
  'typed table',
  'inheritance child',
  'tablespace',
  'table access method',
  'index',
  'base type',
  'shell type',
  'aggregate',
  'grants on foreign table',
  'event trigger',
  'cast',
  'procedural language',
  'collation',
  'operator',
  'operator class',
  'operator family',
  'text search configuration',
  'text search dictionary',
  'text search parser',
  'text search template',
  'conversion',
]);

/** What live holds that the copy cannot write (refused), and its publications (left to live, named). */
export async function notCopied(
  live: Queryable,
  schemas: readonly string[],
  catalog?: Catalog,
): Promise<{ refused: string[]; publications: string[] }> {
  const items = await inventory(live, { includeSchemas: schemas });
  const own = (n: NotModeled) => isPublicationName(n.name ?? '') || isWatchPublicationName(n.name ?? '');
  const refused = items.filter((n) => NOT_COPIED.has(n.kind)).map(describeNotModeled);
  for (const o of catalog?.objects ?? []) if (o.unsupported) refused.push(`${o.key} (${o.unsupported})`);
  const publications = [
    ...new Set(
      items.filter((n) => n.kind === 'publication' && !own(n)).map((n) => `publication ${ident(n.name ?? '')}`),
    ),
  ];
  return { refused: [...new Set(refused)].sort(), publications };
}

/** Check: nothing on live is of a class the standby copy cannot write. */
export async function standbyCopyCheck(
  pair: PreflightPair,
  schemas: readonly string[],
  catalog?: Catalog,
): Promise<Check> {
  const id = 'pair-standby-copy',
    title = "the standby can be built with every object of live's schemas";
  return guarded(id, title, async () => {
    const { refused } = await notCopied(pair.live, schemas, catalog ?? (await readCatalog(pair.live, schemas)));
    if (!refused.length) return pass(id, title, `every object of ${schemas.join(', ')} is written from the catalog`);
    return fail(
      id,
      title,
      `pair init cannot build on the standby: ${refused.slice(0, 20).join('; ')}${refused.length > 20 ? `; and ${refused.length - 20} more` : ''}`,
      "drop them from live, or build the standby's schema yourself (pg_dump --schema-only of live, restored on the standby): pair init accepts a standby whose catalog already equals live's",
    );
  });
}

/** Check: every role live's objects name (owners, grantees, policy roles, default privileges) exists on the standby. */
export async function standbyRolesCheck(
  pair: PreflightPair,
  schemas: readonly string[],
  live?: Catalog,
): Promise<Check> {
  const id = 'pair-standby-roles',
    title = "the roles of live's objects exist on the standby's cluster";
  return guarded(id, title, async () => {
    const catalog = live ?? (await readCatalog(pair.live, schemas));
    const uses = new Map<string, string[]>();
    for (const o of catalog.objects) for (const r of o.roles) uses.set(r, [...(uses.get(r) ?? []), o.key]);
    const { rows } = await pair.standby.query<{ name: string }>(
      `SELECT rolname AS name FROM pg_roles WHERE rolname = ANY($1::text[])`,
      [[...uses.keys()]],
    );
    const present = new Set(rows.map((r) => r.name));
    const missing = [...uses.keys()].filter((r) => !present.has(r)).sort();
    if (!missing.length) return pass(id, title, `${uses.size} role(s), all present on the standby`);
    return fail(
      id,
      title,
      `missing on the standby's cluster: ${missing
        .map((r) => {
          const on = uses.get(r)!;
          return `role ${ident(r)} (${on.slice(0, 3).join(', ')}${on.length > 3 ? `, and ${on.length - 3} more` : ''})`;
        })
        .join('; ')}`,
      `create them on the standby's server (roles belong to the cluster, not to the database): ${missing.map((r) => `CREATE ROLE ${ident(r)}`).join('; ')} (with the attributes and memberships they have on live), then run pair init again`,
    );
  });
}

const REAPPLIED = new Set<CatalogPhase>(['privileges', 'comment', 'property', 'default privileges']);

export interface SchemaCopy {
  /** `built`: the standby now has live's catalog; `unchanged`: it already had it. */
  readonly action: 'built' | 'unchanged';
  /** The full catalog fingerprint (catalog-compare.ts) the two sides now share. */
  readonly fingerprint: string;
  readonly statements: number;
  /** Objects of the catalog copied (or already there). */
  readonly objects: number;
  /** Live's publications, which belong to live and are not copied. */
  readonly publications: readonly string[];
}

/**
 * Builds live's catalog on the standby. The standby may already hold some of it, identical (a resumed init);
 * anything else there (an object live has not, or defines otherwise) is a refusal naming it.
 */
export async function buildStandby(
  live: Client,
  standby: Client,
  schemas: readonly string[],
  extensions: readonly Extension[],
  /** Live's catalog when already read (init's checks read it). */
  liveCatalog?: Catalog,
): Promise<SchemaCopy> {
  const want = liveCatalog ?? (await readCatalog(live, schemas));
  const { refused, publications } = await notCopied(live, schemas, want);
  if (refused.length)
    throw new PairError(
      'STANDBY_NOT_COPYABLE',
      `pair init cannot build these on the standby (nothing was built):\n${refused.map((r) => `  - ${r}`).join('\n')}\nfix: drop them from live, or build the standby's schema yourself (pg_dump --schema-only of live restored on the standby): pair init accepts a standby whose catalog equals live's`,
      1,
    );
  const before = await readCatalog(standby, schemas);
  const names = { live: 'live', standby: 'the standby' };
  // Privileges, comments and table properties apply again over what the standby has (GRANT, COMMENT and
  // ALTER TABLE ... SET are idempotent; the read-back below proves the result); any other difference refuses.
  const found = catalogDifferences(want, before, names);
  const differing = new Set(
    found.filter((d) => / differs \(/.test(d)).map((d) => d.slice(0, d.lastIndexOf(': differs ('))),
  );
  const reapplied = new Set(
    want.objects.filter((o) => REAPPLIED.has(o.phase) && differing.has(o.key)).map((o) => o.key),
  );
  const foreign = found.filter(
    (d) => !d.endsWith(': missing on the standby') && !reapplied.has(d.slice(0, d.lastIndexOf(': differs ('))),
  );
  const fingerprint = catalogFingerprint(want, before.major);
  if (foreign.length)
    throw new StandbyNotEmptyError(
      'the standby already holds objects that are not a copy of live',
      foreign,
      'switchyard pair resync rebuilds the standby from live (its application schemas are dropped); or drop them on the standby yourself',
    );
  const have = new Set(before.objects.map((o) => o.key));
  const todo = buildOrder(want.objects).filter((o) => (!have.has(o.key) || reapplied.has(o.key)) && !o.external);
  if (!todo.length)
    return { action: 'unchanged', fingerprint, statements: 0, objects: want.objects.length, publications };
  let statements = 0;
  await standby.query('BEGIN');
  try {
    await installExtensions(standby, extensions, {
      where: 'the standby',
      fix: "install the extension on the standby's server (the same extension packages as live's) and run pair init again",
    });
    // As pg_dump does: routine bodies may name tables created later in the build.
    await standby.query('SET LOCAL check_function_bodies = off');
    const {
      rows: [me],
    } = await standby.query<{ name: string }>('SELECT current_user AS name');
    for (const o of todo) {
      // A schema may be there already: an extension's, created just above.
      const texts =
        o.phase === 'schema'
          ? o.statements.map((x) => x.replace(/^CREATE SCHEMA /, 'CREATE SCHEMA IF NOT EXISTS '))
          : o.statements;
      const run = [...texts, ...(o.owner && o.owner.role !== me?.name ? [o.owner.statement] : [])];
      for (const statement of run) {
        try {
          await sendOne(standby, statement);
          statements++;
        } catch (e) {
          throw databaseError(`building ${o.key} on the standby (${statement.split('\n')[0]})`, e);
        }
      }
    }
    const built = await readCatalog(standby, schemas);
    const left = catalogDifferences(want, built, names);
    if (left.length)
      throw new PairError(
        'SCHEMA_COPY_MISMATCH',
        `the standby built from live's catalog does not read back as live's (nothing was kept):\n${left
          .slice(0, 30)
          .map((d) => `  - ${d}`)
          .join(
            '\n',
          )}${left.length > 30 ? `\n  ... and ${left.length - 30} more` : ''}\nfix: create the differing objects on the standby by hand as live has them (or restore pg_dump --schema-only of live there) and run pair init again`,
        1,
      );
    await standby.query('COMMIT');
  } catch (e) {
    await standby.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return { action: 'built', fingerprint, statements, objects: want.objects.length, publications };
}

/**
 * Fills the standby's materialized views, which the initial copy leaves empty (logical replication carries
 * tables only): each one live has populated, the ones other views read first. Returns their names.
 */
export async function refreshMaterializedViews(
  live: Queryable,
  standby: Queryable,
  schemas: readonly string[],
): Promise<string[]> {
  const { rows } = await live.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relkind = 'm' AND c.relispopulated`,
    [schemas],
  );
  const populated = new Set(rows.map((r) => r.name));
  const catalog = await readCatalog(standby, schemas);
  const done: string[] = [];
  for (const o of buildOrder(catalog.objects)) {
    if (!o.key.startsWith('materialized view ')) continue;
    const name = o.key.slice('materialized view '.length);
    if (!populated.has(name)) continue;
    try {
      // name: quoted by catalog.ts (qualified())
      await standby.query(`REFRESH MATERIALIZED VIEW ${name}`);
    } catch (e) {
      throw databaseError(`refreshing the materialized view ${name} on the standby`, e);
    }
    done.push(name);
  }
  return done;
}

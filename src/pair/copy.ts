// The standby gets the live side's schema: read by introspection, rendered by the same renderer rehearsal
// uses, built in one transaction and read back; it is committed only when its fingerprint equals live's.
import type { Client } from '../db/connect.js';
import { describeChange, diff } from '../diff/index.js';
import { databaseError } from '../errors.js';
import type { Extension } from '../introspect/extensions.js';
import { introspect, missingRoles } from '../introspect/index.js';
import { grantRoles, withoutGrantsTo } from '../schema/model/grants.js';
import { installExtensions } from '../rehearsal/extensions.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { ident, qualified } from '../db/quote.js';
import { createSchema, renderDatabase } from '../sql/render/index.js';
import { PairError, StandbyNotEmptyError } from './errors.js';
import { HEARTBEAT_TABLE } from './names.js';
import { isEmptyModel, schemaNames } from './scope.js';
import { sendOne } from '../db/send.js';

export interface SchemaCopy {
  /** `built`: the standby was empty and now has live's schema; `unchanged`: it already had it. */
  readonly action: 'built' | 'unchanged';
  readonly fingerprint: string;
  readonly statements: number;
}

/** Differences as changes from live to the standby ("add column x" = the standby has x, live has not). */
export function schemaDifferences(live: DatabaseSchema, standby: DatabaseSchema): string[] {
  return diff(live, standby).map(describeChange);
}

/** `extensions` are live's, created on the standby first (in the same transaction) so that the schema builds. */
export async function copySchema(
  liveModel: DatabaseSchema,
  standby: Client,
  extensions: readonly Extension[] = [],
): Promise<SchemaCopy> {
  // The model carries live's grants, and roles are the standby cluster's to have, not the pair's to create: a
  // grant to a role the standby lacks is left out of the build here, and the grants step names it (the cutover
  // gate refuses until it is given).
  const missing = await missingRoles(standby, [...grantRoles(liveModel).keys()]);
  const live = missing.length ? withoutGrantsTo(liveModel, new Set(missing)) : liveModel;
  const names = schemaNames(live);
  const want = fingerprint(live);
  const before = await introspect(standby, { includeSchemas: names });
  if (fingerprint(before) === want) return { action: 'unchanged', fingerprint: want, statements: 0 };
  if (!isEmptyModel(before)) {
    throw new StandbyNotEmptyError(
      'the standby already has a schema that differs from live (changes from live to the standby)',
      schemaDifferences(live, before),
      'switchyard pair resync rebuilds the standby from live (its application schemas are dropped); or drop them on the standby yourself',
    );
  }
  const existing = new Set(
    (
      await standby.query<{ name: string }>(
        `SELECT nspname AS name FROM pg_namespace WHERE nspname = ANY($1::text[])`,
        [names],
      )
    ).rows.map((r) => r.name),
  );
  const skip = new Set([...existing].map(createSchema));
  await standby.query('BEGIN');
  let statements: string[] = [];
  try {
    const created = await installExtensions(standby, extensions, {
      where: 'the standby',
      fix: "install the extension on the standby's server (the same extension packages as live's) and run pair init again",
    });
    statements = renderDatabase(live).filter((s) => !skip.has(s) && !created.has(s));
    // As pg_dump does: SQL-language bodies may name tables created later in the script.
    await standby.query('SET LOCAL check_function_bodies = off');
    for (const statement of statements) {
      try {
        await sendOne(standby, statement);
      } catch (e) {
        throw databaseError(`building live's schema on the standby (${statement.split('\n')[0]})`, e);
      }
    }
    const built = await introspect(standby, { includeSchemas: names });
    if (fingerprint(built) !== want) {
      throw new PairError(
        'SCHEMA_COPY_MISMATCH',
        `the schema built on the standby does not read back as live's (nothing was kept):\n${schemaDifferences(
          live,
          built,
        )
          .map((d) => `  - ${d}`)
          .join(
            '\n',
          )}\nfix: the two servers print the schema differently (versions, extensions); create the missing pieces on the standby and run pair init again`,
        1,
      );
    }
    await standby.query('COMMIT');
  } catch (e) {
    await standby.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return { action: 'built', fingerprint: want, statements: statements.length };
}

/** Relation kinds dropped one by one in `public` (which itself stays, with its grants). */
const RELATION_DROP: Record<string, string> = {
  v: 'VIEW',
  m: 'MATERIALIZED VIEW',
  r: 'TABLE',
  p: 'TABLE',
  f: 'FOREIGN TABLE',
  S: 'SEQUENCE',
};
const ROUTINE_DROP: Record<string, string> = { f: 'FUNCTION', p: 'PROCEDURE', a: 'AGGREGATE', w: 'FUNCTION' };

/**
 * Empties the standby's application schemas (for resync): `public` loses its contents, other schemas are
 * dropped. The ledger schema is never touched, except that its replicated heartbeat rows are removed.
 */
export async function resetStandby(standby: Client, schemas: readonly string[], ledgerSchema: string): Promise<number> {
  let dropped = 0;
  const notExtension = (cls: string, oid: string) =>
    `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${cls}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
  try {
    for (const schema of schemas) {
      if (schema === ledgerSchema || /^(pg_|information_schema$)/.test(schema)) continue;
      if (schema !== 'public') {
        await standby.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
        dropped++;
        continue;
      }
      const rels = await standby.query<{ name: string; kind: string }>(
        `SELECT c.relname AS name, c.relkind::text AS kind FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('v','m','r','p','f','S') AND NOT c.relispartition AND ${notExtension('pg_class', 'c.oid')} ORDER BY position(c.relkind::text in 'vmrpfS'), 1`,
        [schema],
      );
      for (const r of rels.rows)
        await standby.query(`DROP ${RELATION_DROP[r.kind]} IF EXISTS ${qualified(schema, r.name)} CASCADE`);
      const routines = await standby.query<{ name: string; args: string; kind: string }>(
        `SELECT p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args, p.prokind::text AS kind FROM pg_proc p WHERE p.pronamespace = $1::regnamespace AND ${notExtension('pg_proc', 'p.oid')} ORDER BY 1, 2`,
        [schema],
      );
      // args are the catalog's own rendering of the argument types, not user text.
      for (const r of routines.rows)
        await standby.query(
          `DROP ${ROUTINE_DROP[r.kind] ?? 'FUNCTION'} IF EXISTS ${qualified(schema, r.name)}(${r.args}) CASCADE`,
        );
      const types = await standby.query<{ name: string; domain: boolean }>(
        `SELECT t.typname AS name, t.typtype = 'd' AS domain FROM pg_type t WHERE t.typnamespace = $1::regnamespace AND t.typtype IN ('e','d','r','c')
            AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') AND ${notExtension('pg_type', 't.oid')} ORDER BY 1`,
        [schema],
      );
      for (const r of types.rows)
        await standby.query(`DROP ${r.domain ? 'DOMAIN' : 'TYPE'} IF EXISTS ${qualified(schema, r.name)} CASCADE`);
      dropped += rels.rows.length + routines.rows.length + types.rows.length;
    }
    const hb = qualified(ledgerSchema, HEARTBEAT_TABLE);
    const {
      rows: [t],
    } = await standby.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [hb]);
    if (t?.t) await standby.query(`TRUNCATE ${hb}`);
  } catch (e) {
    throw databaseError('emptying the standby for a resync', e);
  }
  return dropped;
}

// The data the plan works on: invalid indexes, keys for backfills, disk for rewrites and index builds, and
// whether the tables grew since the plan's estimates were made.
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { allSteps } from '../../planner/plan.js';
import { qualified } from '../../db/quote.js';
import {
  fail,
  formatBytes,
  guarded,
  listed,
  pass,
  relName,
  warn,
  withShortLockTimeout,
  type Check,
  type CheckContext,
} from './types.js';

/** `index:schema<US>name` keys of the indexes the plan builds. */
function plannedIndexes(ctx: CheckContext): Set<string> {
  return new Set(
    allSteps(ctx.plan).flatMap((s) =>
      s.creates
        .filter((k) => k.startsWith('index:'))
        .map((k) => {
          const [schema, name] = k.slice('index:'.length).split('\u001f');
          return qualified(schema ?? '', name ?? '');
        }),
    ),
  );
}

/** Left by a failed CREATE INDEX CONCURRENTLY (or REINDEX CONCURRENTLY: `_ccnew` / `_ccold`): still maintained on every write. */
export async function invalidIndexesCheck(ctx: CheckContext): Promise<Check> {
  const id = 'invalid-indexes',
    title = 'no invalid indexes';
  return guarded(id, title, async () => {
    const { rows } = await ctx.db.query<{ index: string; table: string; unique: boolean; valid: boolean }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS index, ${relName('i.indrelid')} AS table, i.indisunique AS unique, i.indisvalid AS valid
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE (NOT i.indisvalid OR c.relname ~ '_cc(new|old)[0-9]*$')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
        ORDER BY 1`,
    );
    if (rows.length === 0) return pass(id, title, 'every index is valid');
    const planned = plannedIndexes(ctx);
    const describe = (r: (typeof rows)[number]) =>
      `${r.index} on ${r.table}${r.unique ? ' (unique: still enforced)' : ''}${r.valid ? ' (left by REINDEX CONCURRENTLY)' : ''}`;
    const foreign = rows.filter((r) => !planned.has(r.index));
    const fix = `drop and rebuild them: DROP INDEX CONCURRENTLY ${foreign[0]?.index ?? rows[0]!.index}; then create it again CONCURRENTLY (or REINDEX INDEX CONCURRENTLY)`;
    if (foreign.length) return fail(id, title, `invalid indexes: ${listed(foreign.map(describe))}`, fix);
    return warn(
      id,
      title,
      `invalid indexes the plan builds (a previous run failed or was killed): ${listed(rows.map(describe))}; apply drops and rebuilds them`,
      'find why the build failed (duplicates for a unique index, a cancelled statement) before applying again',
    );
  });
}

/** A backfill walks its key in keyset batches: without a unique, not-null key it rescans and may skip or repeat rows. */
export async function backfillKeysCheck(ctx: CheckContext): Promise<Check> {
  const id = 'backfill-keys',
    title = 'tables to backfill have a primary key';
  const backfills = ctx.steps.filter((s) => s.backfill);
  if (backfills.length === 0) return pass(id, title, `${ctx.scope} has no backfill`);
  return guarded(id, title, async () => {
    const created = new Set(allSteps(ctx.plan).flatMap((s) => s.creates.filter((k) => k.startsWith('table:'))));
    const specs = backfills.map((s) => ({
      step: s.id,
      name: qualified(s.backfill!.schema, s.backfill!.table),
      key: s.backfill!.key,
      // A table the plan creates does not exist yet; its key comes from the plan.
      planned: created.has(`table:${s.backfill!.schema}\u001f${s.backfill!.table}`),
    }));
    const spec = (step: string) => specs.find((s) => s.step === step)!;
    const { rows } = await ctx.db.query<{
      step: string;
      name: string;
      exists: boolean;
      keyed: boolean;
      has_pk: boolean;
    }>(
      `SELECT t.step, t.name, c.oid IS NOT NULL AS exists,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisvalid AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
                         AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM unnest(i.indkey::int2[]) AS k JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k)
                           = (SELECT array_agg(x ORDER BY x) FROM unnest(t.key) AS x)
                         AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = ANY(t.key) AND NOT a.attnotnull)) AS keyed,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk
         FROM jsonb_to_recordset($1::jsonb) AS t(step text, name text, key text[]) LEFT JOIN pg_class c ON c.oid = to_regclass(t.name)`,
      [JSON.stringify(specs)],
    );
    const bad = rows.filter((r) => (r.exists ? !r.keyed : !spec(r.step).planned));
    if (bad.length === 0)
      return pass(id, title, `${[...new Set(rows.map((r) => r.name))].join(', ')}: keyed for keyset batches`);
    const keyOf = (step: string) => spec(step).key.join(', ');
    return fail(
      id,
      title,
      listed(
        bad.map((r) =>
          !r.exists
            ? `${r.name} (step ${r.step}) does not exist`
            : `${r.name} (step ${r.step}) has ${r.has_pk ? 'no unique not-null key on' : 'no primary key or unique not-null key on'} (${keyOf(r.step)})`,
        ),
      ),
      'add the primary key first (CREATE UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX) and plan again; never backfill a table without one',
    );
  });
}

export interface DiskNeed {
  readonly table: string;
  readonly work: 'rewrite' | 'index';
  readonly bytes: number;
}

/** Space for the new copy (rewrite: table and indexes; index build: about the table's size), twice over for WAL and sorts. */
export function diskVerdict(needs: readonly DiskNeed[], freeBytes: number | undefined, where: string): Check {
  const id = 'disk-headroom',
    title = 'disk headroom for rewrites and index builds';
  const need = needs.reduce((s, n) => s + n.bytes, 0);
  const what = needs.length
    ? `${listed(
        needs.map((n) => `${n.work} of ${n.table} (${formatBytes(n.bytes)})`),
        5,
      )}: ${formatBytes(need)} needed`
    : 'no rewrite or index build on an existing table';
  if (needs.length === 0) return pass(id, title, what);
  if (freeBytes === undefined)
    return warn(
      id,
      title,
      `${what}; free space on the server could not be measured (${where})`,
      `check by hand that the server's data volume has at least ${formatBytes(2 * need)} free (df on the server)`,
    );
  const detail = `${what}, ${formatBytes(freeBytes)} free on ${where}`;
  if (freeBytes < need)
    return fail(
      id,
      title,
      detail,
      `free at least ${formatBytes(2 * need - freeBytes)} on the data volume (or grow it) before applying`,
    );
  if (freeBytes < 2 * need)
    return warn(id, title, detail, `WAL and sort files need room too: aim for ${formatBytes(2 * need)} free`);
  return pass(id, title, detail);
}

/** Free bytes on the server's data volume, when the server runs on this machine; otherwise why not. */
async function serverFreeBytes(ctx: CheckContext): Promise<{ free?: number; where: string }> {
  const {
    rows: [r],
  } = await ctx.db.query<{ dir: string | null; addr: string | null }>(
    `SELECT CASE WHEN pg_has_role(current_user, 'pg_read_all_settings', 'USAGE') THEN current_setting('data_directory') END AS dir,
            host(inet_server_addr()) AS addr`,
  );
  const local = r?.addr === null || r?.addr === '127.0.0.1' || r?.addr === '::1';
  if (!r?.dir) return { where: 'the data directory is not visible to this role (needs pg_read_all_settings)' };
  if (!local || !existsSync(join(r.dir, 'PG_VERSION')))
    return { where: `the server's data directory ${r.dir} is not on this machine` };
  const s = await statfs(r.dir);
  return { free: s.bavail * s.bsize, where: `the volume of ${r.dir}` };
}

export async function diskHeadroomCheck(ctx: CheckContext): Promise<Check> {
  return guarded('disk-headroom', 'disk headroom for rewrites and index builds', async () => {
    const work = ctx.steps.flatMap((s) => {
      const kind = s.hazards.includes('TABLE_REWRITE')
        ? 'rewrite'
        : s.hazards.includes('INDEX_BUILD')
          ? 'index'
          : undefined;
      return kind ? s.lockedTables.map((t) => ({ name: t, work: kind })) : [];
    });
    const rows = await withShortLockTimeout<{ table: string; work: 'rewrite' | 'index'; bytes: number }>(
      ctx.db,
      `SELECT ${relName('c.oid')} AS table, t.work,
              (CASE WHEN t.work = 'rewrite' THEN pg_total_relation_size(c.oid) ELSE pg_relation_size(c.oid) END)::float8 AS bytes
         FROM jsonb_to_recordset($1::jsonb) AS t(name text, work text) JOIN pg_class c ON c.oid = to_regclass(t.name)`,
      [JSON.stringify(work)],
    );
    const server = rows.length ? await serverFreeBytes(ctx) : { where: '' };
    return diskVerdict(rows, server.free, server.where);
  });
}

/** The plan's costs come from table sizes at planning time; a table that grew a lot makes every estimate optimistic. */
export async function staleEstimatesCheck(ctx: CheckContext): Promise<Check> {
  const id = 'stale-estimates',
    title = "tables have not outgrown the plan's estimates";
  const costed = ctx.steps.filter((s) => s.cost && (s.backfill || s.lockedTables.length));
  if (costed.length === 0)
    return pass(
      id,
      title,
      allSteps(ctx.plan).some((s) => s.cost)
        ? `${ctx.scope} has no costed step`
        : 'the plan has no cost estimates (planned from a snapshot)',
    );
  return guarded(id, title, async () => {
    const planned = new Map<string, number>();
    for (const s of costed) {
      const t = s.backfill ? qualified(s.backfill.schema, s.backfill.table) : s.lockedTables[0]!;
      planned.set(t, Math.max(planned.get(t) ?? 0, s.cost!.bytes));
    }
    const rows = await withShortLockTimeout<{ name: string; bytes: number }>(
      ctx.db,
      `SELECT t.name, pg_relation_size(c.oid)::float8 AS bytes FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)`,
      [[...planned.keys()]],
    );
    const factor = ctx.thresholds.growthFactor;
    const grown = rows.filter(
      (r) => r.bytes > factor * (planned.get(r.name) ?? 0) && r.bytes - (planned.get(r.name) ?? 0) >= 1024 * 1024,
    );
    if (grown.length === 0) return pass(id, title, `${rows.length} table(s) within ${factor}x of their planned size`);
    return warn(
      id,
      title,
      `grown since planning: ${listed(grown.map((r) => `${r.name} (${formatBytes(planned.get(r.name) ?? 0)} -> ${formatBytes(r.bytes)})`))}; durations, timeouts and the window check are underestimated`,
      'plan again against the live database so costs and statement timeouts follow the current sizes',
    );
  });
}

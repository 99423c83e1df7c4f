// The inventory: what introspection sees in the selected schemas but the model does not hold (base types,
// policies, grants, storage options...). Commands that read a database name it, so that nothing
// is skipped silently; `--strict` turns a non-empty inventory into an error (NotModeledError).
import { databaseError, SwitchyardError } from '../errors.js';
import { type IntrospectOptions, type Queryable, schemaFilter } from './options.js';
import { INVENTORY } from './inventory-query.js';
import { PINNING_QUERIES, withPinnedSettings } from './pinned.js';

/** One object (or one property of an object) the model does not hold. */
export interface NotModeled {
  /** What it is, e.g. `view`, `policy`, `grants on table`, `column storage`, `comment on function`. */
  readonly kind: string;
  readonly schema: string;
  /** The table (or other relation) it belongs to, for policies, rules, triggers, columns... */
  readonly table?: string;
  /** Absent for a property of the schema itself (its grants, default privileges). */
  readonly name?: string;
  /** What makes it unmodeled, or what tells it apart (a routine's arguments, an option list). */
  readonly detail?: string;
}

interface InventoryRow {
  readonly kind: string;
  readonly schema: string;
  readonly table: string | null;
  readonly name: string | null;
  readonly detail: string | null;
}

/** Inventory queries per call, whatever the number of objects: the catalog query, and pinning its settings. */
export const QUERIES_PER_INVENTORY = 1 + PINNING_QUERIES;

/** Everything in the schemas `options` selects (as for introspect()) that the model does not hold, sorted. */
export async function inventory(db: Queryable, options: IntrospectOptions = {}): Promise<NotModeled[]> {
  // Pinned as introspect() pins them: the details print types and expressions, and JIT compiling this
  // query costs seconds on a large catalog (14 s for 2,000 tables) where running it takes one.
  const rows = await withPinnedSettings(db, 'the inventory', async () => {
    try {
      return (await db.query<InventoryRow>(INVENTORY, schemaFilter(options))).rows;
    } catch (e) {
      throw databaseError('introspection of the objects outside the model failed', e);
    }
  });
  return rows.map(toNotModeled).sort(compare);
}

function toNotModeled(r: InventoryRow): NotModeled {
  return {
    kind: r.kind,
    schema: r.schema,
    ...(r.table !== null ? { table: r.table } : {}),
    ...(r.name !== null ? { name: r.name } : {}),
    ...(r.detail !== null ? { detail: r.detail } : {}),
  };
}

// Code-point order, not the server's collation: the same catalog gives the same list everywhere.
const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);
const compare = (a: NotModeled, b: NotModeled) =>
  cmp(a.schema, b.schema) ||
  cmp(a.table ?? a.name, b.table ?? b.name) ||
  cmp(a.kind, b.kind) ||
  cmp(a.name, b.name) ||
  cmp(a.detail, b.detail);

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** One line: `policy "own_rows" on "public"."accounts"`, `view "public"."v"`, `grants on schema "app" (...)`. */
export function describeNotModeled(n: NotModeled): string {
  const target =
    n.table !== undefined
      ? `${n.name !== undefined ? `${q(n.name)} on ` : ''}${q(n.schema)}.${q(n.table)}`
      : n.name !== undefined
        ? `${q(n.schema)}.${q(n.name)}`
        : `${n.kind.endsWith(' schema') ? '' : 'in schema '}${q(n.schema)}`;
  return `${n.kind} ${target}${n.detail !== undefined ? ` (${n.detail})` : ''}`;
}

/**
 * A notice naming what is not modeled: the count and the first `limit` objects (all with limit Infinity).
 * Empty for an empty inventory.
 */
export function notModeledNotice(items: readonly NotModeled[], limit = 10): string {
  if (items.length === 0) return '';
  const shown = items.slice(0, limit).map((n) => `  ${describeNotModeled(n)}\n`);
  const more =
    items.length > limit ? `  ... and ${items.length - limit} more (--verbose or --json lists them all)\n` : '';
  return `${items.length} object${items.length === 1 ? '' : 's'} in the database ${items.length === 1 ? 'is' : 'are'} not modeled by switchyard (left as they are, never planned):\n${shown.join('')}${more}`;
}

/** `--strict` (or `strict: true`): the database holds objects the model cannot describe. Exit 1. */
export class NotModeledError extends SwitchyardError {
  readonly notModeled: readonly NotModeled[];
  constructor(items: readonly NotModeled[]) {
    super(
      'NOT_MODELED',
      `${items.length} object${items.length === 1 ? '' : 's'} not modeled (strict): ${items
        .slice(0, 5)
        .map(describeNotModeled)
        .join('; ')}${items.length > 5 ? `; ... and ${items.length - 5} more` : ''}`,
      1,
    );
    this.name = 'NotModeledError';
    this.notModeled = items;
  }
}

/** Throws NotModeledError when `strict` and the inventory is not empty. */
export function assertModeled(items: readonly NotModeled[], strict: boolean | undefined): void {
  if (strict && items.length > 0) throw new NotModeledError(items);
}

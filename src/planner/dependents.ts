// The dependents rule (issue #14): a step that drops, renames, retypes or rewrites an object must not leave
// behind, or silently carry along, an object of the source database that depends on it. For every step, in
// execution order, and every object O it drops or alters, each catalog dependent D of O (pg_depend, with views
// resolved through pg_rewrite) must be:
//   - dropped by that step or an earlier one (a modeled dependent is then recreated by the plan), or
//   - part of a table the step drops or renames (its policies, rules, triggers, statistics go with it), or
//   - in the model, which plans around it (foreign keys re-added around a key, indexes and checks dropped or
//     rebuilt with their column, triggers, defaults...).
// Anything else is an untracked dependent: PostgreSQL would refuse the step at apply time (a view reading a
// dropped column), or worse carry the dependent along (a view re-pointed to a retired `n__old` column by a
// swap's RENAME). The plan is refused, naming the dependent, the step and the fix. It is not a hazard, so no
// `--allow-hazard` lets it through.
import { qualified } from '../db/quote.js';
import { SwitchyardError } from '../errors.js';
import type { CatalogDependency, CatalogObject } from '../schema/model/dependencies.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { describeKey, key, modelKeys } from './keys.js';
import type { ObjectKey } from './types.js';

/** What the rule needs of a step, in execution order. */
export interface OrderedStep {
  readonly id: string;
  readonly action: string;
  readonly description: string;
  readonly drops: readonly ObjectKey[];
  /** Only views are read from it: a step rebuilding a view lists it here (not in drops, which would make a cycle). */
  readonly creates?: readonly ObjectKey[];
  /** Read for the view a replace_view step redefines in place. */
  readonly requires?: readonly ObjectKey[];
  readonly alters?: readonly ObjectKey[];
}

export interface UntrackedDependent {
  /** The dependent, as PostgreSQL describes it (`view rep.v`, `policy own on table public.accounts`). */
  readonly dependent: string;
  readonly kind: string;
  /** The object it depends on, as a key description (`column public.customers.name`). */
  readonly on: string;
  readonly step: string;
  /** `drops` or `alters`. */
  readonly how: 'drops' | 'alters';
}

export class UntrackedDependentError extends SwitchyardError {
  readonly dependents: readonly UntrackedDependent[];
  constructor(dependents: readonly UntrackedDependent[]) {
    super('UNTRACKED_DEPENDENT', untrackedMessage(dependents), 1);
    this.name = 'UntrackedDependentError';
    this.dependents = dependents;
  }
}

function untrackedMessage(ds: readonly UntrackedDependent[]): string {
  const lines = ds.map(
    (d) =>
      `  ${d.dependent} depends on ${d.on}, which step ${d.step} ${d.how === 'drops' ? 'drops' : 'renames, retypes or rewrites'}`,
  );
  return [
    `the plan would break ${ds.length === 1 ? 'an object' : `${ds.length} objects`} of the database that switchyard does not model (not a hazard: --allow-hazard cannot allow it):`,
    ...lines,
    'fix: declare each of them in the schema file so that the plan drops and recreates it around the step, or drop it yourself before applying the plan (and recreate it after)',
  ].join('\n');
}

/** The object key of a catalog object, when the model has a kind of key for it. */
export function catalogKey(o: CatalogObject): ObjectKey | undefined {
  const t = o.table;
  switch (o.kind) {
    case 'schema':
      return key.schema(o.name);
    case 'table':
      return key.table(o.ns, o.name);
    case 'column':
    case 'default':
    case 'generated column':
      return t !== undefined ? key.column(o.ns, t, o.name) : undefined;
    case 'index':
      return key.index(o.ns, o.name);
    case 'sequence':
      return key.sequence(o.ns, o.name);
    case 'view':
    case 'materialized view':
      return key.view(o.ns, o.name);
    case 'type':
    case 'domain':
    case 'composite type':
    case 'range type':
      return key.type(o.ns, o.name);
    case 'domain constraint':
      return t !== undefined ? key.constraint(o.ns, t, o.name) : undefined;
    case 'function':
      return key.function(o.ns, o.name, o.args ?? '');
    case 'constraint':
    case 'check constraint':
    case 'foreign key':
    case 'primary key':
    case 'unique constraint':
    case 'exclusion constraint':
      return t !== undefined ? key.constraint(o.ns, t, o.name) : undefined;
    case 'trigger':
      return t !== undefined ? key.trigger(o.ns, t, o.name) : undefined;
    case 'policy':
      return t !== undefined ? key.policy(o.ns, t, o.name) : undefined;
    default:
      return undefined;
  }
}

/** Every object key the model holds (one definition, in keys.ts). */
export { modelKeys } from './keys.js';

/** `table:s.t` -> [s, t]; undefined for any other key. */
function tableOf(k: ObjectKey): readonly [string, string] | undefined {
  if (!k.startsWith('table:')) return undefined;
  const [s, t] = k.slice('table:'.length).split('\u001f');
  return s !== undefined && t !== undefined ? [s, t] : undefined;
}

/**
 * The dependents no step handles, in step order (empty when the plan is safe). `steps` in execution order,
 * `edges` from the source database, `source` the source model.
 */
export function untrackedDependents(
  steps: readonly OrderedStep[],
  edges: readonly CatalogDependency[],
  source: DatabaseSchema,
): UntrackedDependent[] {
  const modeled = modelKeys(source);
  const byObject = new Map<ObjectKey, CatalogDependency[]>();
  /** Edges into a table's columns, indexes and constraints, by the table's key: dropping a table drops them. */
  const byTable = new Map<ObjectKey, CatalogDependency[]>();
  for (const e of edges) {
    const k = catalogKey(e.on);
    if (k !== undefined) push(byObject, k, e);
    if (e.on.table !== undefined && e.on.kind !== 'table') push(byTable, key.table(e.on.ns, e.on.table), e);
  }
  const dropped = new Set<ObjectKey>();
  /**
   * Views and policies a step at or before the current one (re)creates: a modeled one is trusted only once
   * rebuilt (left alone, it would fail the drop, or follow a swap's rename to the retired column).
   */
  const rebuilt = new Set<ObjectKey>();
  const out: UntrackedDependent[] = [];
  const reported = new Set<string>();
  for (const s of steps) {
    for (const k of s.drops) dropped.add(k);
    // CREATE OR REPLACE (replace_view) redefines the view it requires without creating it anew.
    const redefined = s.action === 'replace_view' ? (s.requires ?? []) : [];
    for (const k of [...(s.creates ?? []), ...redefined]) if (rebuiltKind(k)) rebuilt.add(k);
    const touched: [ObjectKey, 'drops' | 'alters'][] = [
      ...s.drops.map((k) => [k, 'drops'] as [ObjectKey, 'drops']),
      ...(s.alters ?? []).map((k) => [k, 'alters'] as [ObjectKey, 'alters']),
    ];
    for (const [o, how] of touched) {
      const table = tableOf(o);
      for (const e of [...(byObject.get(o) ?? []), ...(byTable.get(o) ?? [])]) {
        const d = e.dependent;
        const dk = catalogKey(d);
        // A view is in the model too, but it is trusted only when the plan rebuilds it at or before the step
        // (a view left alone would fail the drop, or follow a rename to the retired column).
        const trusted = dk !== undefined && rebuiltKind(dk) ? rebuilt.has(dk) : dk !== undefined && modeled.has(dk);
        if (dk !== undefined && (dropped.has(dk) || trusted)) continue;
        // What belongs to a table goes with it when it is dropped or renamed (its policies, rules, statistics).
        if (table && d.ns === table[0] && d.table === table[1]) continue;
        const id = `${s.id}\u0000${d.description}`;
        if (reported.has(id)) continue;
        reported.add(id);
        out.push({
          dependent: d.description,
          kind: d.kind,
          on: describeOn(e.on),
          step: `${s.id} (${s.action}: ${s.description})`,
          how,
        });
      }
    }
  }
  return out;
}

/** Views and policies: what their text reads is not planned around unless the plan builds them again. */
const rebuiltKind = (k: ObjectKey): boolean => k.startsWith('view:') || k.startsWith('policy:');

function describeOn(o: CatalogObject): string {
  const k = catalogKey(o);
  if (k !== undefined) return describeKey(k);
  return `${o.kind} ${o.table !== undefined ? `${qualified(o.ns, o.table)}.` : ''}${o.name}`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

// Domains, composite types and range types. What ALTER DOMAIN and ALTER TYPE change in place is a change of
// its own (default, NOT NULL, a check; an attribute added, dropped or renamed); what they cannot change without
// rewriting every column of the type (a domain's base type, an attribute's type or position, a range's
// definition) is a refuse_type_change that the planner refuses with the reason.
import type { CompositeType, Domain, RangeType } from '../schema/model/model.js';
import type { CommentTarget } from './changes.js';
import { diffComment } from './comments.js';
import { byName, omit, opt, pairByKey, same } from './list.js';
import type { Emit } from './order.js';

const target = (type: string, what: 'domain' | 'composite type' | 'range type'): CommentTarget => ({
  kind: 'type',
  type,
  what,
});

export function diffDomains(emit: Emit, schema: string, from: readonly Domain[], to: readonly Domain[]): void {
  for (const { from: f, to: t } of pairByKey(from, to, byName)) {
    if (!f && t) emit({ kind: 'create_domain', schema, domain: t });
    else if (f && !t) emit({ kind: 'drop_domain', schema, domain: f });
    else if (f && t) {
      if (f.type !== t.type || f.collation !== t.collation) {
        emit({
          kind: 'refuse_type_change',
          schema,
          type: t.name,
          what: 'domain',
          reason: `its base type changes from ${f.type}${f.collation ? ` collate ${f.collation}` : ''} to ${t.type}${t.collation ? ` collate ${t.collation}` : ''}: PostgreSQL cannot alter a domain's base type; declare a new domain and move the columns to it`,
        });
        continue;
      }
      if (f.default !== t.default)
        emit({ kind: 'set_domain_default', schema, domain: t, ...opt('from', f.default), ...opt('to', t.default) });
      if ((f.notNull ?? false) !== (t.notNull ?? false))
        emit({ kind: 'set_domain_not_null', schema, domain: t, notNull: t.notNull === true });
      for (const { from: fc, to: tc } of pairByKey(f.checks, t.checks, byName)) {
        if (fc && tc && fc.expression === tc.expression) {
          if (fc.notValid && !tc.notValid) emit({ kind: 'validate_domain_check', schema, domain: t, check: tc });
          else if (!fc.notValid && tc.notValid) {
            emit({ kind: 'drop_domain_check', schema, domain: f, check: fc });
            emit({ kind: 'add_domain_check', schema, domain: t, check: tc });
          }
          continue;
        }
        if (fc) emit({ kind: 'drop_domain_check', schema, domain: f, check: fc });
        if (tc) emit({ kind: 'add_domain_check', schema, domain: t, check: tc });
      }
      diffComment(emit, schema, target(t.name, 'domain'), f.comment, t.comment);
    }
  }
}

export function diffComposites(
  emit: Emit,
  schema: string,
  from: readonly CompositeType[],
  to: readonly CompositeType[],
): void {
  for (const { from: f, to: t } of pairByKey(from, to, byName)) {
    const bare = t && { ...t, attributes: t.attributes.map((a) => omit(a, 'renamedFrom')) };
    if (!f && bare) emit({ kind: 'create_composite', schema, type: bare });
    else if (f && !bare) emit({ kind: 'drop_composite', schema, type: f });
    else if (f && t && bare) {
      diffAttributes(emit, schema, f, t, bare);
      diffComment(emit, schema, target(t.name, 'composite type'), f.comment, t.comment);
    }
  }
}

/**
 * Renames first (a `renamedFrom` naming a source attribute the target no longer has), then drops, then adds at
 * the end. Kept attributes must keep their type and relative order; otherwise the change is refused.
 */
function diffAttributes(emit: Emit, schema: string, f: CompositeType, t: CompositeType, bare: CompositeType): void {
  const targetNames = new Set(t.attributes.map((a) => a.name));
  const renamedFrom = new Map<string, string>();
  for (const a of t.attributes)
    if (
      a.renamedFrom !== undefined &&
      !targetNames.has(a.renamedFrom) &&
      f.attributes.some((x) => x.name === a.renamedFrom) &&
      !f.attributes.some((x) => x.name === a.name)
    )
      renamedFrom.set(a.renamedFrom, a.name);
  // The source as it is once renamed.
  const renamed = f.attributes.map((a) => ({ ...a, name: renamedFrom.get(a.name) ?? a.name }));
  const kept = renamed.filter((a) => targetNames.has(a.name));
  const keptNames = new Set(kept.map((a) => a.name));
  const targetKept = bare.attributes.filter((a) => keptNames.has(a.name));
  const added = bare.attributes.filter((a) => !keptNames.has(a.name));
  // Added ones can only go last, after every kept one.
  const order = [...targetKept, ...added];
  if (!same(kept, targetKept) || !same(order, bare.attributes)) {
    emit({
      kind: 'refuse_type_change',
      schema,
      type: t.name,
      what: 'composite type',
      reason:
        'an attribute changes type, collation or position: ALTER TYPE can only add attributes at the end, drop and rename them; declare a new type and move its users',
    });
    return;
  }
  for (const [from, to] of renamedFrom) emit({ kind: 'rename_attribute', schema, type: bare, from, to });
  for (const a of renamed)
    if (!targetNames.has(a.name)) emit({ kind: 'drop_attribute', schema, type: f, attribute: a });
  for (const a of added) emit({ kind: 'add_attribute', schema, type: bare, attribute: a });
}

export function diffRanges(emit: Emit, schema: string, from: readonly RangeType[], to: readonly RangeType[]): void {
  for (const { from: f, to: t } of pairByKey(from, to, byName)) {
    if (!f && t) emit({ kind: 'create_range', schema, range: t });
    else if (f && !t) emit({ kind: 'drop_range', schema, range: f });
    else if (f && t) {
      if (!same(omit(f, 'comment'), omit(t, 'comment')))
        emit({
          kind: 'refuse_type_change',
          schema,
          type: t.name,
          what: 'range type',
          reason: 'PostgreSQL cannot alter a range type in place; declare a new range type and move the columns to it',
        });
      diffComment(emit, schema, target(t.name, 'range type'), f.comment, t.comment);
    }
  }
}

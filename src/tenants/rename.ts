// A tenant plan is made for the template schema and run in every tenant schema, so its SQL, its models and its
// steps are retargeted from the template's name to each tenant's. The SQL is rewritten where PostgreSQL's parser
// says a schema is named (see retarget-sql.ts): a schema qualifier, the name of a schema statement, a name inside
// a reg* cast literal, a search_path setting; string constants, function bodies and comments are copied as they
// are, so a tenant name full of quotes and semicolons lands only where ident() and literal() put it.
import type {
  Check,
  Column,
  Function,
  Index,
  IndexKey,
  Policy,
  Schema,
  Table,
  Trigger,
  View,
} from '../schema/model/model.js';
import type { ObjectKey, Step } from '../planner/types.js';
import { ident } from '../db/quote.js';
import { foldAscii, mentions as namesSchema } from './mentions.js';
import { retargetSql } from './retarget-sql.js';
import { RetargetRefusedError } from './sql-readings.js';
import { dollarBody, identValue, isTrivia, tokenize, type Token } from './sql-lexer.js';

/**
 * SQL text with every reference to schema `from` turned into one to schema `to`: qualifiers (`from.x`, bare
 * names compared case-folded, quoted ones exactly), the name of a schema statement, reg* cast literals
 * (`'from.seq'::regclass`), search_path settings and the statements of DO blocks, as PostgreSQL's parser reads
 * them (retarget-sql.ts). Function bodies, other strings and comments are kept; what cannot be retargeted
 * safely throws RetargetRefusedError.
 */
export function renameSchemaInSql(sql: string, from: string, to: string): string {
  return retargetSql(sql, from, to);
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Index of the previous token before `i` that is not whitespace or a comment, or -1. */
function before(tokens: readonly Token[], i: number): number {
  for (let j = i - 1; j >= 0; j--) if (!isTrivia(tokens[j]!)) return j;
  return -1;
}

const isWord = (t: Token | undefined, word: string) => t?.kind === 'ident' && foldAscii(t.text) === word;

/** A token that is the body of a DO statement (`DO [LANGUAGE name] '...'` or `$$...$$`). */
function followsDo(tokens: readonly Token[], i: number): boolean {
  let j = before(tokens, i);
  if (tokens[j] !== undefined && identValue(tokens[j]!) !== undefined && isWord(tokens[before(tokens, j)], 'language'))
    j = before(tokens, before(tokens, j));
  return isWord(tokens[j], 'do');
}

const isDoBody = (tokens: readonly Token[], i: number) => tokens[i]?.kind === 'dollar' && followsDo(tokens, i);

/**
 * Whether a dollar-quoted string of `sql` names `name` anywhere, strings and comments of the body included
 * (dynamic SQL in a string reaches the template just the same): bare in any letter case when the name can be
 * written bare, or quoted.
 */
export function bodyMentions(sql: string, name: string): boolean {
  const mentions = (text: string) => namesSchema(text, name);
  const inText = (text: string, doBody: boolean): boolean => {
    const tokens = tokenize(text);
    return tokens.some((t, i) => {
      if (t.kind === 'dollar') return isDoBody(tokens, i) ? inText(dollarBody(t), true) : mentions(dollarBody(t));
      // `DO 'body'`: a body in a plain string is not renamed (its quoting would need rewriting): refused if it names the template.
      if (!doBody && (t.kind === 'string' || t.kind === 'estring') && followsDo(tokens, i)) return mentions(t.text);
      // The statements of a DO block are renamed, but not its strings (dynamic SQL).
      return doBody && (t.kind === 'string' || t.kind === 'estring' || t.kind === 'ustring') && mentions(t.text);
    });
  };
  return inText(sql, false);
}

/** A copy of a template schema model as the schema `to`: its name and every reference to its old name. */
export function renameSchemaInModel(schema: Schema, to: string): Schema {
  const from = schema.name;
  const sql = (text: string) => renameSchemaInSql(text, from, to);
  const column = (c: Column): Column => ({
    ...c,
    type: sql(c.type),
    ...(c.default === undefined ? {} : { default: sql(c.default) }),
    ...(c.generated === undefined ? {} : { generated: sql(c.generated) }),
    ...(c.collation === undefined ? {} : { collation: sql(c.collation) }),
    // Declared change hints are SQL over the row too, and may call the template's functions.
    ...(c.up === undefined ? {} : { up: sql(c.up) }),
    ...(c.down === undefined ? {} : { down: sql(c.down) }),
    ...(c.backfill === undefined ? {} : { backfill: sql(c.backfill) }),
  });
  const indexKey = (k: IndexKey): IndexKey => ({
    ...k,
    ...(k.expression === undefined ? {} : { expression: sql(k.expression) }),
    ...(k.opclass === undefined ? {} : { opclass: sql(k.opclass) }),
    ...(k.collation === undefined ? {} : { collation: sql(k.collation) }),
  });
  const index = (ix: Index): Index => ({
    ...ix,
    keys: ix.keys.map(indexKey),
    ...(ix.where === undefined ? {} : { where: sql(ix.where) }),
  });
  const check = (ck: Check): Check => ({ ...ck, expression: sql(ck.expression) });
  const trigger = (tg: Trigger): Trigger => ({
    ...tg,
    function: { ...tg.function, schema: tg.function.schema === from ? to : tg.function.schema },
    ...(tg.when === undefined ? {} : { when: sql(tg.when) }),
  });
  const policy = (p: Policy): Policy => ({
    ...p,
    ...(p.using === undefined ? {} : { using: sql(p.using) }),
    ...(p.withCheck === undefined ? {} : { withCheck: sql(p.withCheck) }),
    ...(p.derived
      ? { derived: { reads: p.derived.reads.map((r) => ({ ...r, schema: r.schema === from ? to : r.schema })) } }
      : {}),
  });
  const table = (t: Table): Table => ({
    ...t,
    columns: t.columns.map(column),
    indexes: t.indexes.map(index),
    foreignKeys: t.foreignKeys.map((fk) => ({
      ...fk,
      references: { ...fk.references, schema: fk.references.schema === from ? to : fk.references.schema },
    })),
    checks: t.checks.map(check),
    triggers: t.triggers.map(trigger),
    // A policy's expressions may read the schema's tables and call its functions; what it reads names them too.
    ...(t.policies ? { policies: t.policies.map(policy) } : {}),
  });
  // The identity arguments may name the schema's enums, and they are part of the function's key.
  const fn = (f: Function): Function => ({ ...f, args: sql(f.args), definition: sql(f.definition) });
  // A view's query names the schema's relations; what it reads (derived) names them too.
  const view = (v: View): View => ({
    ...v,
    definition: sql(v.definition),
    ...(v.indexes ? { indexes: v.indexes.map(index) } : {}),
    ...(v.derived
      ? {
          derived: {
            columns: v.derived.columns.map((c) => ({ ...c, type: sql(c.type) })),
            reads: v.derived.reads.map((r) => ({ ...r, schema: r.schema === from ? to : r.schema })),
          },
        }
      : {}),
  });
  // Cloned first so that no list or object of the result is shared with the template's model.
  const copy = structuredClone(schema);
  return {
    ...copy,
    name: to,
    tables: copy.tables.map(table),
    functions: copy.functions.map(fn),
    ...(copy.views ? { views: copy.views.map(view) } : {}),
  };
}

// Object kinds of keys.ts (and not_null of constraints-common.ts); any other `word:` prefix wraps a key
// (`validated:`, `enabled_always:`, `gone:`...).
const KEY_KINDS = new Set([
  'schema',
  'type',
  'sequence',
  'function',
  'table',
  'column',
  'index',
  'constraint',
  'trigger',
  'policy',
  'view',
  'not_null',
]);

/** A key cut into its prefix (wrappers and kind), its schema and the rest (starting at the separator). */
function splitKey(k: ObjectKey): { prefix: string; kind: string; schema: string; rest: string } | undefined {
  let at = 0;
  for (;;) {
    const m = /^([a-z_]+):/.exec(k.slice(at));
    if (!m) return undefined;
    at += m[0].length;
    if (KEY_KINDS.has(m[1]!) || !/^[a-z_]+:/.test(k.slice(at))) {
      const body = k.slice(at);
      const sep = body.indexOf('\u001f');
      return {
        prefix: k.slice(0, at),
        kind: m[1]!,
        schema: sep < 0 ? body : body.slice(0, sep),
        rest: sep < 0 ? '' : body.slice(sep),
      };
    }
  }
}

function retargetKey(k: ObjectKey, from: string, to: string): ObjectKey {
  const parts = splitKey(k);
  if (!parts || parts.schema !== from) return k;
  // A function key ends with its identity arguments, which may name the schema's types.
  const rest =
    parts.kind === 'function'
      ? parts.rest
          .split('\u001f')
          .map((p, i) => (i === 2 ? renameSchemaInSql(p, from, to) : p))
          .join('\u001f')
      : parts.rest;
  return `${parts.prefix}${to}${rest}`;
}

/**
 * Human text naming objects the way ident() and qualified() print them: `from.` becomes `to.` and
 * `schema from` becomes `schema to`. Not lexed as SQL, since an apostrophe in prose would open a string.
 */
function retargetDescription(text: string, from: string, to: string): string {
  const name = ident(from);
  let out = '';
  let copied = 0;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) {
    const prev = text[at - 1];
    const next = text[at + name.length];
    const ends = next === undefined || !(IDENT_CHAR.test(next) || next === '"');
    const qualifier = next === '.' && (prev === undefined || !(IDENT_CHAR.test(prev) || prev === '"' || prev === '.'));
    const ofSchema = ends && /(?:^|[^A-Za-z0-9_$])schema $/i.test(text.slice(Math.max(0, at - 8), at));
    if (qualifier || ofSchema) {
      out += text.slice(copied, at) + ident(to);
      copied = at + name.length;
    }
  }
  return out + text.slice(copied);
}

/** A template step as it runs in the schema `to`: its SQL, rollback, backfill, keys, locks and description. */
export function retargetStep<S extends Step>(step: S, from: string, to: string): S {
  const sql = (text: string) => renameSchemaInSql(text, from, to);
  const keys = (ks: readonly ObjectKey[]) => ks.map((k) => retargetKey(k, from, to));
  const b = step.backfill;
  return {
    ...step,
    description: retargetDescription(step.description, from, to),
    sql: sql(step.sql),
    rollback: step.rollback.map(sql),
    lockedTables: step.lockedTables.map(sql),
    creates: keys(step.creates),
    requires: keys(step.requires),
    drops: keys(step.drops),
    ...(b === undefined
      ? {}
      : {
          backfill: {
            ...b,
            schema: b.schema === from ? to : b.schema,
            key: [...b.key],
            set: b.set.map((s) => ({ ...s, expression: sql(s.expression) })),
            where: sql(b.where),
          },
        }),
  };
}

/**
 * Why a template step cannot be retargeted to any tenant, or undefined: the refusal retargetStep would throw,
 * found before a run starts (a refusal depends on the template's text only, never on the tenant's name).
 */
export function retargetRefusal(step: Step, template: string): RetargetRefusedError | undefined {
  try {
    retargetStep(step, template, template === 'sy_check' ? 'sy_check_2' : 'sy_check');
    return undefined;
  } catch (e) {
    if (e instanceof RetargetRefusedError) return e;
    throw e;
  }
}

/** The schema an object key belongs to (wrapped keys like `enabled_always:trigger:...` included). */
export function schemaOfKey(k: ObjectKey): string | undefined {
  return splitKey(k)?.schema;
}

/** Whether the step creates, requires or drops an object of schema `name`, or the schema itself. */
export function touchesSchema(step: Step, name: string): boolean {
  return [...step.creates, ...step.requires, ...step.drops].some((k) => splitKey(k)?.schema === name);
}

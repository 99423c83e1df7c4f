// The pieces of tenant SQL retargeting that read SQL with PostgreSQL's own parser (libpg-query): a text read as
// the statements, expression, type or argument list it is, the typed refusal, and the strings a parse tree shows
// are read as names or SQL at run time, where no rewrite of names can reach.
import { loadModule, parseSync } from 'libpg-query';
import { SwitchyardError } from '../errors.js';
import { ident } from '../db/quote.js';
import { mentions } from './mentions.js';
import { forEachNode, type Tree } from './parse-names.js';

await loadModule();

/** A template text that cannot be made a tenant's safely. Exit 2: the plan (its SQL) is what must change. */
export class RetargetRefusedError extends SwitchyardError {
  readonly template: string;
  readonly construct: string;
  readonly sql: string;
  constructor(template: string, construct: string, sql: string, at?: number) {
    const text = sql.replace(/\s+/g, ' ').trim();
    const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    super(
      'TENANT_RETARGET_REFUSED',
      `cannot retarget ${shown} from the template schema ${ident(template)}: ` +
        `${construct}${at === undefined ? '' : ` at character ${at}`}\n` +
        "fix: name the template's objects in SQL (not in strings), or leave them unqualified and set the search_path",
      2,
    );
    this.template = template;
    this.construct = construct;
    this.sql = sql;
  }
}

/**
 * The ways a text of a plan or a model is read, tried in order: statements; an expression (defaults, checks,
 * index expressions, reg* literals); a type; a function's argument list. Fragments are wrapped, so the tree's
 * offsets count from the wrapped text.
 */
const READINGS = [
  { prefix: '', suffix: '' },
  { prefix: 'SELECT (\n', suffix: '\n)' },
  { prefix: 'SELECT NULL::', suffix: '' },
  { prefix: 'CREATE FUNCTION sy_reading(', suffix: ') RETURNS void LANGUAGE sql AS $sy_reading$$sy_reading$' },
] as const;

export interface Reading {
  readonly text: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly tree: Tree;
}

export function parseTree(text: string): Tree | undefined {
  try {
    return parseSync(text) as unknown as Tree;
  } catch {
    return undefined;
  }
}

/** The first reading PostgreSQL's parser accepts (a fragment only as exactly one statement), or undefined. */
export function read(sql: string): Reading | undefined {
  for (const { prefix, suffix } of READINGS) {
    const text = prefix + sql + suffix;
    const tree = parseTree(text);
    if (tree !== undefined && (prefix === '' || (tree.stmts as unknown[] | undefined)?.length === 1))
      return { text, prefix, suffix, tree };
  }
  return undefined;
}

/** Casts whose input is a possibly qualified object name (regrole is a role, so it is not among them). */
export const QUALIFIED_REG_TYPES = new Set([
  'regclass',
  'regtype',
  'regproc',
  'regprocedure',
  'regoper',
  'regoperator',
  'regcollation',
  'regconfig',
  'regdictionary',
]);

/** Functions that read a string argument as an object name, or (format) build SQL from strings. */
const NAME_FUNCTIONS = new Set([
  'format',
  'to_regclass',
  'to_regtype',
  'to_regtypemod',
  'to_regproc',
  'to_regprocedure',
  'to_regoper',
  'to_regoperator',
  'to_regnamespace',
  'to_regcollation',
  'nextval',
  'currval',
  'setval',
  'pg_get_serial_sequence',
  'has_table_privilege',
  'has_sequence_privilege',
  'has_function_privilege',
  'has_schema_privilege',
  'has_column_privilege',
  'pg_relation_size',
  'pg_total_relation_size',
  'pg_table_size',
  'pg_indexes_size',
]);

const lastName = (names: unknown): string => {
  const list = Array.isArray(names) ? names : [];
  return ((list[list.length - 1] as { String?: { sval?: string } } | undefined)?.String?.sval ?? '').toLowerCase();
};

function constStrings(tree: unknown): string[] {
  const out: string[] = [];
  forEachNode(tree, (type, node) => {
    const s = type === 'A_Const' ? (node.sval as { sval?: string } | undefined)?.sval : undefined;
    if (s !== undefined) out.push(s);
  });
  return out;
}

/** A string constant cast to a reg* type: the one string form the rewrite renames (the cast's A_Const). */
export function regCast(type: string, node: Tree): { type: string; arg: Tree | undefined } | undefined {
  if (type !== 'TypeCast') return undefined;
  const typeName = lastName((node.typeName as Tree | undefined)?.names);
  if (typeName !== 'regnamespace' && !QUALIFIED_REG_TYPES.has(typeName)) return undefined;
  return { type: typeName, arg: (node.arg as { A_Const?: Tree } | undefined)?.A_Const };
}

/**
 * The first construct of `tree` where a string naming `from` is read as a name or SQL at run time and could
 * not be rewritten, with its byte offset: set_config of search_path, a call of NAME_FUNCTIONS, a reg* cast of
 * something other than a string constant (`'x'::text::regclass`).
 */
export function stringAsName(tree: Tree, from: string): { construct: string; location?: number } | undefined {
  let found: { construct: string; location?: number } | undefined;
  forEachNode(tree, (type, node) => {
    if (found) return;
    const location = typeof node.location === 'number' ? node.location : undefined;
    const at = location === undefined ? {} : { location };
    const reg = regCast(type, node);
    if (reg && reg.arg === undefined && constStrings(node.arg).some((s) => mentions(s, from))) {
      found = {
        construct: `a string names the template schema in a cast to ${reg.type} that is not of a string constant`,
        ...at,
      };
    }
    if (type !== 'FuncCall') return;
    const fn = lastName(node.funcname);
    // Only constants passed as they are: a cast of one (`'x'::regclass`) is the cast's business.
    const args = (Array.isArray(node.args) ? node.args : []).flatMap(
      (a: { A_Const?: { sval?: { sval?: string } } }) => {
        const s = a.A_Const?.sval?.sval;
        return s === undefined ? [] : [s];
      },
    );
    if (!args.some((s) => mentions(s, from))) return;
    if (fn === 'set_config' && args[0]?.toLowerCase() === 'search_path')
      found = { construct: "a string names the template schema in set_config('search_path', ...)", ...at };
    else if (NAME_FUNCTIONS.has(fn))
      found = { construct: `a string names the template schema in ${fn}(...), which reads it as a name or SQL`, ...at };
  });
  return found;
}

// What the semantic checks look things up in: the valid part of the file, plus what was cut out as broken,
// so that a reference into a broken object is neither accepted nor reported twice.
import type { DeclaredFile, SchemaDecl, TableDecl } from './declared.js';
import { multirangeName } from '../model/types.js';
import type { Finding, Report } from './finding.js';
import type { Broken } from './salvage.js';
import type { Path } from './zod-walk.js';

/** `ok`: declared and valid; `broken`: declared but malformed (already reported); `missing`: not declared. */
export type State = 'ok' | 'broken' | 'missing';

export interface CheckContext {
  readonly data: DeclaredFile;
  readonly broken: Broken;
  readonly report: Report;
  /** Document offset of the key at `path`, to report duplicates at the later occurrence. */
  readonly order: (path: Path) => number;
}

export const tablePath = (schema: string, table: string): Path => ['schemas', schema, 'tables', table];

/**
 * Each record's entries, listed once: every check walks every table, and Object.entries of a record of
 * 65,000 tables is slow (issue #13). The file's data is not changed once parsed, so the lists stay true.
 */
const listed = new WeakMap<object, ReadonlyArray<readonly [string, unknown]>>();
const NONE: ReadonlyArray<readonly [string, never]> = [];

export function entries<T>(record: Readonly<Record<string, T>> | undefined): ReadonlyArray<readonly [string, T]> {
  if (!record) return NONE;
  let list = listed.get(record);
  if (!list) listed.set(record, (list = Object.entries(record)));
  return list as ReadonlyArray<readonly [string, T]>;
}

export class Catalog {
  constructor(private readonly ctx: CheckContext) {}

  table(schema: string, table: string): TableDecl | 'broken' | undefined {
    const t = this.ctx.data.schemas[schema]?.tables?.[table];
    if (t) return t;
    return this.ctx.broken.covers(tablePath(schema, table)) ? 'broken' : undefined;
  }

  schemaState(schema: string): State {
    if (this.ctx.data.schemas[schema]) return 'ok';
    return this.ctx.broken.covers(['schemas', schema]) ? 'broken' : 'missing';
  }

  column(schema: string, table: string, column: string): State {
    const t = this.table(schema, table);
    if (t === undefined) return 'missing';
    if (t === 'broken') return 'broken';
    if (t.columns[column]) return 'ok';
    return this.ctx.broken.covers([...tablePath(schema, table), 'columns', column]) ? 'broken' : 'missing';
  }

  /** A declared type (enum, domain, composite or range type) by name, in `schema` or (unqualified) in any schema. */
  typeState(name: string, schema?: string): State {
    const schemas = schema === undefined ? Object.keys(this.ctx.data.schemas) : [schema];
    const declared = (s: string) => this.ctx.data.schemas[s];
    if (schemas.some((s) => TYPE_KINDS.some((k) => declared(s)?.[k]?.[name] !== undefined))) return 'ok';
    // A range type brings its multirange type.
    if (schemas.some((s) => multiranges(declared(s)?.ranges).includes(name))) return 'ok';
    if (schemas.some((s) => TYPE_KINDS.some((k) => this.ctx.broken.covers(['schemas', s, k, name])))) return 'broken';
    // A whole schema cut out might have held it.
    return this.ctx.broken.schemaCut(schema) ? 'broken' : 'missing';
  }

  /** Every declared type name, for suggestions. */
  typeNames(): string[] {
    return Object.values(this.ctx.data.schemas).flatMap((s) => [
      ...TYPE_KINDS.flatMap((k) => Object.keys(s[k] ?? {})),
      ...multiranges(s.ranges),
    ]);
  }
}

const multiranges = (ranges: SchemaDecl['ranges']): string[] =>
  Object.entries(ranges ?? {}).map(([n, r]) => r.multirange ?? multirangeName(n));

/** The sections of a schema that declare types. */
const TYPE_KINDS = ['enums', 'domains', 'composites', 'ranges'] as const;

/** Report helper that drops findings about broken places (they were reported by the structural pass). */
export function reporter(ctx: CheckContext): Report {
  return (f: Finding) => {
    if (!ctx.broken.covers(f.path)) ctx.report(f);
  };
}

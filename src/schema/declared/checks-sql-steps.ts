// The raw SQL steps under `sql:`: every statement of `sql` and `rollbackSql` read with PostgreSQL's parser and
// refused when it cannot be one step of a plan (transaction control, COPY, session settings, psql
// meta-commands...); a rollback for every statement unless the step is declared irreversible; the objects it
// creates and requires named in the planner's vocabulary. Each problem is reported at its YAML node.
import {
  SQL_OBJECT_KINDS,
  SQL_OBJECT_PARTS,
  type SqlObjectKind,
  type SqlObjectRef,
  type SqlStep,
} from '../model/sql-step.js';
import { entries, reporter, type CheckContext } from './catalog.js';
import type { ObjectRefDecl, SqlStepDecl } from './declared.js';
import { subject } from './describe.js';
import { finding, type Report } from './finding.js';
import { rawStatements, type RawStatement } from './sql-text.js';
import type { Path } from './zod-walk.js';

const STEP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;

/** Dotted name parts, a part in double quotes when it holds a dot (`"a.b"`, `""` for a quote). */
function splitName(text: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] === '"') (part += '"'), (i += 2);
          else break;
        } else part += text[i++];
      }
      i++;
    } else {
      const end = text.indexOf('.', i);
      part = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    if (part === '') return undefined;
    parts.push(part);
    if (i >= text.length) break;
    if (text[i] !== '.') return undefined;
    i++;
  }
  return parts;
}

/** An object reference as declared (`table: public.users`), or why it is not one. */
export function objectRef(decl: ObjectRefDecl): SqlObjectRef | string {
  const given = SQL_OBJECT_KINDS.filter((k) => decl[k] !== undefined);
  if (given.length !== 1)
    return `give exactly one of ${SQL_OBJECT_KINDS.join(', ')}${given.length ? ` (found ${given.join(', ')})` : ''}`;
  const kind = given[0] as SqlObjectKind;
  let text = decl[kind]!.trim();
  let args: string | undefined;
  if (kind === 'function') {
    const open = text.indexOf('(');
    if (open < 0 || !text.endsWith(')'))
      return `a function is named with its identity arguments, e.g. \`function: public.touch(integer, text)\` or \`public.now_utc()\``;
    args = text.slice(open + 1, -1).trim();
    text = text.slice(0, open).trim();
  }
  const names = splitName(text);
  const n = SQL_OBJECT_PARTS[kind];
  if (!names || names.length !== n) {
    const shape = ['schema', 'table', 'name'].slice(0, n).join('.');
    return `a ${kind} is named ${n === 1 ? 'by its name' : `with ${n} dotted parts (${kind === 'column' ? 'schema.table.column' : n === 3 ? shape : 'schema.name'})`}, found \`${decl[kind]}\``;
  }
  return args === undefined ? { kind, names } : { kind, names, args };
}

function statementsOf(out: Report, path: Path, text: string): RawStatement[] | undefined {
  const r = rawStatements(text);
  if ('statements' in r) return r.statements;
  for (const p of r.problems) {
    // A NUL is already reported by the hygiene rules (hygiene.ts), for every text of the file.
    if (!p.message.startsWith('a NUL character'))
      out(
        finding(
          path,
          'value',
          `${subject(path)}: ${p.message}`,
          'give plain SQL statements separated by semicolons; switchyard runs each in its own transaction with its own timeouts',
        ),
      );
  }
  return undefined;
}

function checkStep(out: Report, name: string, step: SqlStepDecl): void {
  const path: Path = ['sql', name];
  if (!STEP_NAME.test(name))
    out(
      finding(
        path,
        'key',
        `sql step name \`${name}\` is not a plain name`,
        'use letters, digits, `_`, `-` and `.` (at most 63), e.g. `users_rls_policy`',
      ),
    );
  const forward = statementsOf(out, [...path, 'sql'], step.sql);
  const rollback = step.rollbackSql;
  if (rollback === undefined && !step.irreversible)
    out(
      finding(
        path,
        'key',
        `${subject(path)} has no \`rollbackSql\`: every step of a plan has a rehearsed rollback`,
        'give `rollbackSql` undoing `sql`, or declare `irreversible: true` (hazard IRREVERSIBLE, to be allowed at apply)',
      ),
    );
  if (rollback !== undefined && step.irreversible)
    out(
      finding(
        [...path, 'irreversible'],
        'key',
        `${subject(path)} is declared irreversible but gives \`rollbackSql\``,
        'remove one of them',
      ),
    );
  if (typeof rollback === 'string') {
    statementsOf(out, [...path, 'rollbackSql'], rollback);
    if (forward && forward.length > 1)
      out(
        finding(
          [...path, 'rollbackSql'],
          'value',
          `${subject(path)}: \`sql\` holds ${forward.length} statements, each its own step with its own rollback, so \`rollbackSql\` is a list`,
          `give \`rollbackSql\` as a list of ${forward.length} entries, the k-th undoing the k-th statement of \`sql\``,
        ),
      );
  } else if (rollback !== undefined) {
    for (const [i, r] of rollback.entries()) statementsOf(out, [...path, 'rollbackSql', i], r);
    if (forward && rollback.length !== forward.length)
      out(
        finding(
          [...path, 'rollbackSql'],
          'value',
          `${subject(path)}: \`rollbackSql\` has ${rollback.length} entries, \`sql\` holds ${forward.length} statement${forward.length === 1 ? '' : 's'}`,
          'give one entry per statement of `sql`, in the same order, each undoing its statement',
        ),
      );
  }
  for (const field of ['creates', 'requires'] as const) {
    step[field]?.forEach((ref, i) => {
      const r = objectRef(ref);
      if (typeof r === 'string')
        out(finding([...path, field, i], 'value', `${subject(path)}: \`${field}[${i}]\`: ${r}`));
    });
  }
}

export function checkSqlSteps(ctx: CheckContext): void {
  const out = reporter(ctx);
  for (const [name, step] of entries(ctx.data.sql)) checkStep(out, name, step);
}

/** The raw SQL steps of a file that passed every check, in file order. */
export function toSqlSteps(data: { readonly sql?: Readonly<Record<string, SqlStepDecl>> }): SqlStep[] {
  const all = (text: string) => {
    const r = rawStatements(text);
    return 'statements' in r ? r.statements : [];
  };
  const refs = (list: readonly ObjectRefDecl[] | undefined) =>
    (list ?? []).map(objectRef).filter((r): r is SqlObjectRef => typeof r !== 'string');
  return entries(data.sql).map(([name, step]) => {
    const forward = all(step.sql);
    const rb = step.rollbackSql;
    const rollback =
      rb === undefined
        ? forward.map(() => [])
        : typeof rb === 'string'
          ? [all(rb).map((s) => s.sql)]
          : rb.map((t) => all(t).map((s) => s.sql));
    return {
      name,
      phase: step.phase,
      releaseOffset: step.releaseOffset ?? 0,
      statements: forward.map((s, i) => ({ sql: s.sql, rollback: rollback[i] ?? [], transactional: s.transactional })),
      creates: refs(step.creates),
      requires: refs(step.requires),
      irreversible: step.irreversible ?? false,
    };
  });
}

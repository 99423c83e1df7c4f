// Every SQL text the file declares, checked with PostgreSQL's parser (sql-text.ts) against what its field
// means. This is what keeps a declared default from carrying `'x'); CREATE ROLE intruder; ...` to a server.
import { entries, reporter, type CheckContext } from './catalog.js';
import type { TableDecl } from './declared.js';
import { subject } from './describe.js';
import { finding, type Report } from './finding.js';
import {
  expressionProblem,
  exclusionProblem,
  functionProblem,
  relationsNamed,
  statementProblem,
  type SqlTextProblem,
} from './sql-text.js';
import type { Path } from './zod-walk.js';

const EXPRESSION_FIX = "write exactly one SQL expression (text values as string literals, e.g. 'active')";

function report(out: Report, path: Path, problem: SqlTextProblem | undefined, fix: string): void {
  // A NUL is already reported by the hygiene rules (hygiene.ts), for every text of the file.
  if (problem && !problem.message.startsWith('a NUL character'))
    out(finding(path, 'value', `${subject(path)}: ${problem.message}`, fix));
}

function expression(out: Report, path: Path, text: string | undefined): void {
  if (text === undefined) return;
  report(out, path, expressionProblem(text), EXPRESSION_FIX);
}

function tableExpressions(out: Report, tp: Path, table: TableDecl): void {
  for (const [c, col] of entries(table.columns)) {
    for (const key of ['default', 'generated', 'up', 'down', 'backfill'] as const)
      expression(out, [...tp, 'columns', c, key], col[key]);
  }
  for (const [i, index] of entries(table.indexes)) {
    index.expressions?.forEach((e, k) => {
      expression(out, [...tp, 'indexes', i, 'expressions', k], e);
    });
    index.keys?.forEach((key, k) => {
      expression(out, [...tp, 'indexes', i, 'keys', k, 'expression'], key.expression);
    });
    expression(out, [...tp, 'indexes', i, 'where'], index.where);
  }
  for (const [c, check] of entries(table.checks)) expression(out, [...tp, 'checks', c, 'expression'], check.expression);
  for (const [t, trigger] of entries(table.triggers)) expression(out, [...tp, 'triggers', t, 'when'], trigger.when);
  for (const [x, exclusion] of entries(table.exclusions))
    report(
      out,
      [...tp, 'exclusions', x, 'definition'],
      exclusionProblem(exclusion.definition),
      'give one `EXCLUDE USING <method> (<element> WITH <operator>, ...)`, nothing before or after it',
    );
  for (const [p, policy] of entries(table.policies))
    for (const key of ['using', 'withCheck'] as const) {
      const path: Path = [...tp, 'policies', p, key];
      const text = policy[key];
      if (text === undefined) continue;
      const problem = expressionProblem(text);
      report(out, path, problem, EXPRESSION_FIX);
      // Like a view's query (below): built with search_path = public, a bare name outside public reads public's.
      const s = String(tp[1]);
      const bare =
        problem || s === 'public' ? undefined : relationsNamed(`SELECT (${text})`).find(([rs]) => rs === undefined);
      if (bare)
        out(
          finding(
            path,
            'value',
            `${subject(path)}: \`${bare[1]}\` has no schema, so it would be read from the search_path (public), not from ${s}`,
            `qualify it: ${s}.${bare[1]} (or public.${bare[1]} if that is what you mean)`,
          ),
        );
    }
}

export function checkDeclaredSql(ctx: CheckContext): void {
  const out = reporter(ctx);
  for (const [s, schema] of entries(ctx.data.schemas)) {
    for (const [t, table] of entries(schema.tables)) tableExpressions(out, ['schemas', s, 'tables', t], table);
    for (const [d, domain] of entries(schema.domains)) {
      const dp: Path = ['schemas', s, 'domains', d];
      expression(out, [...dp, 'default'], domain.default);
      for (const [c, check] of entries(domain.checks))
        expression(out, [...dp, 'checks', c, 'expression'], check.expression);
    }
    for (const [v, view] of entries(schema.views)) {
      const vp: Path = ['schemas', s, 'views', v];
      const problem = statementProblem(view.definition, 'SelectStmt');
      report(
        out,
        [...vp, 'definition'],
        problem,
        `give exactly one SELECT for view ${s}.${v}, nothing before or after it`,
      );
      // Declared views are built with search_path = public: outside public, a bare name would silently read public's.
      const bare =
        problem || s === 'public' ? undefined : relationsNamed(view.definition).find(([rs]) => rs === undefined);
      if (bare)
        out(
          finding(
            [...vp, 'definition'],
            'value',
            `${subject([...vp, 'definition'])}: \`${bare[1]}\` has no schema, so it would be read from the search_path (public), not from ${s}`,
            `qualify it: ${s}.${bare[1]} (or public.${bare[1]} if that is what you mean)`,
          ),
        );
      for (const [i, index] of entries(view.indexes)) {
        index.expressions?.forEach((e, k) => {
          expression(out, [...vp, 'indexes', i, 'expressions', k], e);
        });
        index.keys?.forEach((key, k) => {
          expression(out, [...vp, 'indexes', i, 'keys', k, 'expression'], key.expression);
        });
        expression(out, [...vp, 'indexes', i, 'where'], index.where);
      }
    }
    (schema.functions ?? []).forEach((f, i) => {
      const path: Path = ['schemas', s, 'functions', i, 'definition'];
      report(
        out,
        path,
        functionProblem(f.definition, s, f.name),
        `give exactly one CREATE OR REPLACE FUNCTION ${s}.${f.name}(...) statement, nothing before or after it`,
      );
    });
  }
  const tenants = ctx.data.tenants;
  if (tenants) {
    report(
      out,
      ['tenants', 'registry'],
      statementProblem(tenants.registry, 'SelectStmt'),
      'give one SELECT returning the tenant schema names, e.g. SELECT schema_name FROM central.tenants WHERE active',
    );
    if (tenants.register !== undefined) {
      report(
        out,
        ['tenants', 'register'],
        statementProblem(tenants.register, 'InsertStmt'),
        'give one INSERT with $1 for the schema name, e.g. INSERT INTO central.tenants (schema_name, active) VALUES ($1, true)',
      );
    }
  }
}

// The declared schema file: YAML in, validated model out (every problem at once, each with its line and
// column), and the model back out as YAML.
//
// What is checked here, without a database: UTF-8, and characters PostgreSQL cannot take (NUL anywhere;
// control characters in names, labels and comments); YAML syntax and duplicate keys; the structure (zod, strict:
// unknown keys are errors); types; references inside the file (columns of keys and indexes, foreign key
// targets and their unique keys, sequence owners, the tenant template); name clashes and PostgreSQL's name
// limits; combinations PostgreSQL refuses (identity with default, unique hash indexes...); change hints that
// cannot make sense (`down` without `up`, renamedFrom a name still declared, backfill on a nullable column).
// What needs the live database is the planner's: whether `renamedFrom` exists there, whether `up` changes a
// type, whether a new NOT NULL column on a populated table lacks `backfill`. Expressions are checked by
// canonicalizing them through a real server.
import { readFile } from 'node:fs/promises';
import { InvalidSchemaError, UsageError, type Problem } from '../../errors.js';
import type { CheckContext } from './catalog.js';
import { checkColumns } from './checks-columns.js';
import { checkForeignKeys } from './checks-fks.js';
import { checkGrants } from './checks-grants.js';
import { checkKeys } from './checks-keys.js';
import { checkNames } from './checks-names.js';
import { checkPolicies } from './checks-policies.js';
import { checkNamespaces } from './checks-namespace.js';
import { checkSchemas } from './checks-schema.js';
import { checkDeclaredSql } from './checks-sql.js';
import { checkSqlSteps, toSqlSteps } from './checks-sql-steps.js';
import type { SqlStep } from '../model/sql-step.js';
import { declaredFile, type DeclaredFile } from './declared.js';
import { dotted } from './describe.js';
import type { Finding } from './finding.js';
import { visible } from './hygiene.js';
import { zodFindings } from './issues.js';
import type { DatabaseSchema } from '../model/model.js';
import { Broken, salvage } from './salvage.js';
import { toModel } from './to-model.js';
import { decodeUtf8 } from './utf8.js';
import { prepare } from './prepare.js';
import { keysInOrder, offsetOf, position, readYaml, type YamlSource } from './yaml-ast.js';

export { toYaml } from '../emit/yaml.js';

export interface Analysis {
  readonly problems: readonly Problem[];
  /** The model, when there are no problems. */
  readonly model?: DatabaseSchema;
  /** The plain data read from the YAML (even when it has problems), for summaries. */
  readonly data?: unknown;
  /** The raw SQL steps under `sql:`, when there are no problems (none: an empty list). */
  readonly sqlSteps?: readonly SqlStep[];
}

function toProblems(source: YamlSource | undefined, file: string, findings: readonly Finding[]): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const f of findings) {
    const offset = f.offset ?? (source ? offsetOf(source, f.path, f.at) : 0);
    const { line, column } = source ? position(source, offset) : { line: 1, column: 1 };
    // Names with control characters are quoted in messages; printed raw they would garble the terminal.
    const p: Problem = {
      file,
      line,
      column,
      path: dotted(f.path),
      message: visible(f.message),
      ...(f.fix ? { fix: visible(f.fix) } : {}),
    };
    const key = `${line}:${column}:${p.message}`;
    if (!seen.has(key)) problems.push(p);
    seen.add(key);
  }
  return problems.sort(
    (a, b) => a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

function runChecks(ctx: CheckContext): void {
  for (const check of [
    checkNames,
    checkColumns,
    checkKeys,
    checkForeignKeys,
    checkNamespaces,
    checkSchemas,
    checkGrants,
    checkPolicies,
    checkDeclaredSql,
    checkSqlSteps,
  ])
    check(ctx);
}

/** Every problem of a declared file, and the valid data with its document when there are none. */
export function checkDeclared(
  text: string,
  file: string,
): Analysis & { readonly valid?: { data: DeclaredFile; source: YamlSource } } {
  const { source, syntax } = readYaml(text);
  if (syntax.length > 0) return { problems: toProblems(source, file, syntax) };
  if (source.doc.contents === null)
    return {
      problems: toProblems(undefined, file, [
        {
          path: [],
          at: 'key',
          message: 'the file is empty',
          fix: 'declare at least `schemas:` with a schema, e.g. `schemas: { public: {} }`',
        },
      ]),
    };
  const findings = prepare(source.doc, declaredFile);
  let plain: unknown;
  try {
    plain = source.doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return {
      problems: toProblems(source, file, [
        ...findings,
        { path: [], at: 'key', message: `YAML: ${(e as Error).message}`, fix: 'use fewer aliases (*name)' },
      ]),
    };
  }
  const parsed = declaredFile.safeParse(plain);
  let valid: { data: DeclaredFile; broken: Broken } | undefined = parsed.success
    ? { data: parsed.data, broken: new Broken() }
    : undefined;
  if (!parsed.success) {
    findings.push(...zodFindings(parsed.error.issues, plain, declaredFile));
    valid = salvage(declaredFile, plain, parsed.error.issues);
  }
  if (valid) runChecks({ ...valid, report: (f) => findings.push(f), order: (path) => offsetOf(source, path, 'key') });
  const problems = toProblems(source, file, findings);
  if (problems.length > 0 || !valid) return { problems, data: plain };
  return { problems, data: plain, valid: { data: valid.data, source } };
}

/** Every problem of a declared file, and its model when there are none. Never throws for bad input. */
export function analyzeDeclared(text: string, file: string): Analysis {
  const { problems, data, valid } = checkDeclared(text, file);
  if (!valid) return { problems, data };
  return {
    problems,
    data,
    model: toModel(valid.data, (path) => keysInOrder(valid.source, path)),
    sqlSteps: toSqlSteps(valid.data),
  };
}

/** The model of a declared schema; throws InvalidSchemaError listing every problem. */
export function parseDeclared(text: string, file: string): DatabaseSchema {
  return parseDeclaredFile(text, file).model;
}

/** The model of a declared schema and its raw SQL steps; throws InvalidSchemaError listing every problem. */
export function parseDeclaredFile(
  text: string,
  file: string,
): { readonly model: DatabaseSchema; readonly sqlSteps: readonly SqlStep[] } {
  const { problems, model, sqlSteps } = analyzeDeclared(text, file);
  if (!model) throw new InvalidSchemaError(problems);
  return { model, sqlSteps: sqlSteps ?? [] };
}

/**
 * Reads a file of source text: a UsageError naming the path when it cannot be read, an InvalidSchemaError at
 * the first byte that is not UTF-8.
 */
export async function readDeclaredText(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new UsageError(`cannot read the declared schema ${path}: ${reason}`, { cause: e });
  }
  const decoded = decodeUtf8(bytes, path);
  if ('problem' in decoded) throw new InvalidSchemaError([decoded.problem]);
  return decoded.text;
}

export async function loadDeclared(path: string): Promise<DatabaseSchema> {
  return parseDeclared(await readDeclaredText(path), path);
}

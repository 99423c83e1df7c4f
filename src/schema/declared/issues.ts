// zod's issues in the words of the declared format: which object, which key, what was found, what to write.
import { z } from 'zod';
import { subject } from './describe.js';
import { finding, type Finding } from './finding.js';
import { closest } from '../model/names.js';
import { keysOf, schemaAt, valueAt, type Segment } from './zod-walk.js';

type Issue = z.core.$ZodIssue;

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  number: 'a number',
};
const WRITE: Readonly<Record<string, string>> = {
  string: 'write text (quote it if it looks like a number or a boolean)',
  boolean: 'write true or false',
  array: 'write a list, e.g. `[a, b]`',
  object: 'write a mapping (`key: value` lines, or `{ key: value }`)',
  record: 'write a mapping (`key: value` lines, or `{ key: value }`)',
};
const MISSING_FIX: Readonly<Record<string, string>> = {
  type: 'add a PostgreSQL type, e.g. `type: text`',
  columns: 'list the columns, e.g. `columns: [id]`',
  schemas: 'start the file with `schemas:` and a schema, e.g. `public:`',
  expression: 'add the boolean expression, e.g. `expression: "price > 0"`',
  references: 'add `references: { table: ... }`',
};

/** Fixes for the messages declared.ts gives its own checks. */
const CUSTOM_FIX: Readonly<Record<string, string>> = {
  'must not be empty': 'write the SQL, or remove the key',
  'must be a whole number': 'write an integer, e.g. `1000`',
};

export function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const pathOf = (issue: Issue): Segment[] => issue.path.filter((s): s is Segment => typeof s !== 'symbol');

/** Issues with each failed union replaced by the issues of the option the input was meant for. */
export function flatten(issues: readonly Issue[], data: unknown, root: z.ZodType): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    if (issue.code !== 'invalid_union') return [issue];
    const meant = issue.errors.find((branch) => !branch.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
    if (meant)
      return flatten(
        meant.map((e) => ({ ...e, path: [...issue.path, ...e.path] })),
        data,
        root,
      );
    const s = schemaAt(root, data, pathOf(issue));
    const description = (s && z.globalRegistry.get(s)?.description) ?? 'of another shape';
    const got = show(valueAt(data, pathOf(issue)));
    return [{ ...issue, message: `must be ${description.charAt(0).toLowerCase()}${description.slice(1)}; got ${got}` }];
  });
}

function issueFindings(issue: Issue, data: unknown, root: z.ZodType): Finding[] {
  const path = pathOf(issue);
  const value = valueAt(data, path);
  const last = path[path.length - 1];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = keysOf(schemaAt(root, data, path));
      return issue.keys.map((key) => {
        const near = closest(key, valid);
        return finding(
          [...path, key],
          'key',
          `${subject(path)}: unknown key \`${key}\``,
          near ? `did you mean \`${near}\`?` : `valid keys here: ${valid.join(', ')}`,
        );
      });
    }
    case 'invalid_type': {
      if (value === undefined && last !== undefined) {
        const parent = path.slice(0, -1);
        return [
          finding(
            path,
            'key',
            `${subject(parent)}: \`${last}\` is required`,
            MISSING_FIX[String(last)] ?? `add \`${last}:\``,
          ),
        ];
      }
      if (path.length === 0)
        return [
          finding(
            path,
            'value',
            `the top level must be a mapping with \`schemas:\`, got ${show(value)}`,
            MISSING_FIX.schemas,
          ),
        ];
      const isColumn = path[path.length - 2] === 'columns' && typeof value === 'string';
      const fix = isColumn ? `write \`${String(last)}: { type: ${value} }\`` : WRITE[issue.expected];
      return [
        finding(
          path,
          'value',
          `${subject(path)} must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${show(value)}`,
          fix,
        ),
      ];
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const near = typeof value === 'string' ? closest(value, values) : undefined;
      return [
        finding(
          path,
          'value',
          `${subject(path)} must be one of ${values.join(', ')}; got ${show(value)}`,
          near ? `did you mean \`${near}\`?` : undefined,
        ),
      ];
    }
    case 'too_small':
      return [
        finding(
          path,
          'value',
          `${subject(path)} must not be empty`,
          issue.origin === 'array' ? 'list at least one item' : 'write a value',
        ),
      ];
    default:
      return [finding(path, 'value', `${subject(path)} ${issue.message}`, CUSTOM_FIX[issue.message])];
  }
}

/** Every zod issue as findings, unions resolved. */
export function zodFindings(issues: readonly Issue[], data: unknown, root: z.ZodType): Finding[] {
  return flatten(issues, data, root).flatMap((i) => issueFindings(i, data, root));
}

// Where a model object was declared: a server's refusal of the declared schema (a foreign key whose column
// types differ, an unknown operator class) is reported at the YAML node of the object it refused, on one line,
// like every other problem of the file.
import { readFile } from 'node:fs/promises';
import type { Problem } from '../../errors.js';
import { subject } from './describe.js';
import { offsetOf, position, readYaml } from './yaml-ast.js';
import type { Path } from './zod-walk.js';

/** The declared-file path of a model object path (functions are a list in the file, named in the model). */
function declaredPath(data: unknown, object: readonly string[]): Path {
  const [root, schema, kind, name, ...rest] = object;
  if (root !== 'schemas' || kind !== 'functions' || schema === undefined || name === undefined) return object;
  const list =
    (data as { schemas?: Record<string, { functions?: Array<{ name?: string }> }> })?.schemas?.[schema]?.functions ??
    [];
  const i = list.findIndex((f) => f?.name === name);
  return i < 0 ? [root, schema, kind] : [root, schema, kind, i, ...rest];
}

/** A one-line problem at the declaration of `object` in `file` (a declared YAML file). */
export async function problemAt(
  file: string,
  object: readonly string[],
  message: string,
  fix: string,
): Promise<Problem> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const line = message.replace(/\s+/g, ' ').trim();
  if (text === undefined) return { file, line: 1, column: 1, path: object.join('.'), message: line, fix };
  const { source } = readYaml(text);
  const path = declaredPath(source.doc.toJS(), object);
  const at = position(source, offsetOf(source, path, 'key'));
  return { file, line: at.line, column: at.column, path: path.join('.'), message: `${subject(path)}: ${line}`, fix };
}

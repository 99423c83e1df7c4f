// Schema files as the commands read them: declared YAML, or a snapshot written by `switchyard introspect`
// (YAML with a `# fingerprint` header, or JSON for large schemas). A file whose content still hashes to the
// fingerprint it was written with is catalog text already, so it needs no shadow database to canonicalize.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { fingerprint } from './fingerprint.js';
import type { DatabaseSchema } from './model.js';
import { normalizeDatabase } from './normalize.js';
import { parseDeclared, readDeclaredText } from './yaml.js';

export interface SnapshotJson {
  readonly switchyardSnapshot: 1;
  readonly fingerprint: string;
  readonly database?: string;
  readonly schema: DatabaseSchema;
}

export interface SchemaFile {
  readonly model: DatabaseSchema;
  /** True when the file is an unedited introspection result (its fingerprint matches). */
  readonly canonical: boolean;
}

const HEADER = /^# fingerprint (sha256:[0-9a-f]{64})$/m;

export function snapshotJson(schema: DatabaseSchema, database?: string): string {
  const s: SnapshotJson = { switchyardSnapshot: 1, fingerprint: fingerprint(schema), ...(database ? { database } : {}), schema };
  return JSON.stringify(s) + '\n';
}

export async function loadSchemaFile(path: string): Promise<SchemaFile> {
  if (path.endsWith('.json')) return loadJson(path);
  const text = await readDeclaredText(path);
  const model = parseDeclared(text, path);
  const stated = HEADER.exec(text)?.[1];
  return { model, canonical: stated !== undefined && stated === fingerprint(model) };
}

async function loadJson(path: string): Promise<SchemaFile> {
  let data: Partial<SnapshotJson>;
  try {
    data = JSON.parse(await readFile(path, 'utf8')) as Partial<SnapshotJson>;
  } catch (e) {
    throw new UsageError(`cannot read the snapshot ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (data.switchyardSnapshot !== 1 || !data.schema || !Array.isArray(data.schema.schemas)) {
    throw new UsageError(`${path} is not a switchyard snapshot (write one with \`switchyard introspect -o file.json\`)`);
  }
  const model = normalizeDatabase(data.schema);
  if (data.fingerprint !== fingerprint(model)) {
    throw new UsageError(`${path} was edited after it was introspected (its fingerprint no longer matches); edit the YAML form instead, or introspect again`);
  }
  return { model, canonical: true };
}

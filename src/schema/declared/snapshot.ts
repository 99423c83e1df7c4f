// Schema files as the commands read them: declared YAML, or a snapshot written by `switchyard introspect`
// (YAML with a `# fingerprint` header, or JSON for large schemas). A file whose content still hashes to the
// fingerprint it was written with is catalog text already, so it needs no shadow database to canonicalize.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { fingerprint, rememberFingerprint, sha256 } from '../model/fingerprint.js';
import type { CatalogDependency } from '../model/dependencies.js';
import type { DatabaseSchema } from '../model/model.js';
import { parseDeclaredFile, readDeclaredText } from './yaml.js';
import type { SqlStep } from '../model/sql-step.js';

/**
 * A JSON snapshot. `schema` comes last and `contentSha256` is the sha256 of its exact JSON text, so loading
 * proves the file unedited by hashing bytes instead of recomputing the structural fingerprint.
 */
export interface SnapshotJson {
  readonly switchyardSnapshot: 1;
  readonly fingerprint: string;
  readonly contentSha256: string;
  readonly database?: string;
  /**
   * The database's dependency edges (pg_depend), which the planner's dependents rule needs; absent in snapshots
   * written before they were recorded. `dependenciesSha256` is the sha256 of their JSON text.
   */
  readonly dependencies?: readonly CatalogDependency[];
  readonly dependenciesSha256?: string;
  readonly schema: DatabaseSchema;
}

export interface SchemaFile {
  readonly model: DatabaseSchema;
  /** True when the file is an unedited introspection result (its fingerprint matches). */
  readonly canonical: boolean;
  /** The source database's dependency edges, in a JSON snapshot that records them (never in YAML). */
  readonly dependencies?: readonly CatalogDependency[];
  /** The raw SQL steps under `sql:` (none in a snapshot). */
  readonly sqlSteps?: readonly SqlStep[];
}

const HEADER = /^# fingerprint (sha256:[0-9a-f]{64})$/m;

const SCHEMA_KEY = ',"schema":';

export function snapshotJson(
  schema: DatabaseSchema,
  database?: string,
  dependencies?: readonly CatalogDependency[],
): string {
  const body = JSON.stringify(schema);
  // CatalogDependency has no `schema` field, so the header still holds `,"schema":` only as the schema's key.
  const head = {
    switchyardSnapshot: 1,
    fingerprint: fingerprint(schema),
    contentSha256: sha256(body),
    ...(database ? { database } : {}),
    ...(dependencies ? { dependenciesSha256: sha256(JSON.stringify(dependencies)), dependencies } : {}),
  };
  return `${JSON.stringify(head).slice(0, -1) + SCHEMA_KEY + body}}\n`;
}

export async function loadSchemaFile(path: string): Promise<SchemaFile> {
  if (path.endsWith('.json')) return loadJson(path);
  const text = await readDeclaredText(path);
  const { model, sqlSteps } = parseDeclaredFile(text, path);
  const stated = HEADER.exec(text)?.[1];
  return {
    model,
    canonical: stated !== undefined && stated === fingerprint(model),
    ...(sqlSteps.length ? { sqlSteps } : {}),
  };
}

async function loadJson(path: string): Promise<SchemaFile> {
  let text: string;
  let data: Partial<SnapshotJson>;
  try {
    text = await readFile(path, 'utf8');
    data = JSON.parse(text) as Partial<SnapshotJson>;
  } catch (e) {
    throw new UsageError(`cannot read the snapshot ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (
    data.switchyardSnapshot !== 1 ||
    !data.schema ||
    !Array.isArray(data.schema.schemas) ||
    typeof data.fingerprint !== 'string'
  ) {
    throw new UsageError(
      `${path} is not a switchyard snapshot (write one with \`switchyard introspect -o file.json\`)`,
    );
  }
  // The header holds only hex digests and an escaped URL, so the first `,"schema":` is the schema's key.
  const at = text.indexOf(SCHEMA_KEY);
  const body = at < 0 ? '' : text.slice(at + SCHEMA_KEY.length, text.trimEnd().length - 1);
  if (data.contentSha256 !== sha256(body)) {
    throw new UsageError(
      `${path} was edited after it was introspected (its content no longer matches its hash); edit the YAML form instead, or introspect again`,
    );
  }
  if (
    data.dependencies !== undefined &&
    (!Array.isArray(data.dependencies) || data.dependenciesSha256 !== sha256(JSON.stringify(data.dependencies)))
  ) {
    throw new UsageError(
      `${path} was edited after it was introspected (its dependencies no longer match their hash); introspect again`,
    );
  }
  rememberFingerprint(data.schema, data.fingerprint);
  return {
    model: data.schema,
    canonical: true,
    ...(data.dependencies !== undefined ? { dependencies: data.dependencies } : {}),
  };
}

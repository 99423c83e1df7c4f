// Schema files as the commands read them: declared YAML, or a snapshot written by `switchyard introspect`
// (YAML with a `# fingerprint` header, or JSON for large schemas). A file whose content still hashes to the
// fingerprint it was written with is catalog text already, so it needs no shadow database to canonicalize.
//
// A snapshot also carries the database's extensions (every server a schema is built on needs them first) and
// the objects outside the model (named by `plan --from`, never silent). JSON holds them as fields before
// `schema`; YAML has the extensions in its `extensions:` section (a comment block, in snapshots written before
// the model held them) and the rest as a comment block at the end, which changes neither the model nor its
// fingerprint and is read back here.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { fingerprint, rememberFingerprint, sha256 } from '../model/fingerprint.js';
import type { CatalogDependency } from '../model/dependencies.js';
import type { DatabaseSchema } from '../model/model.js';
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
  readonly extensions?: readonly SnapshotExtension[];
  readonly notModeled?: readonly SnapshotNotModeled[];
  readonly schema: DatabaseSchema;
}

/** An extension of the database a snapshot was taken of (the shape of introspect's Extension). */
export interface SnapshotExtension {
  readonly name: string;
  readonly schema: string;
  readonly version: string;
}

/** An object outside the model (the shape of introspect's NotModeled, which this layer cannot import). */
export interface SnapshotNotModeled {
  readonly kind: string;
  readonly schema: string;
  readonly table?: string;
  readonly name?: string;
  readonly detail?: string;
}

/** What a snapshot says beyond the model; absent in a declared file and in snapshots written before them. */
export interface SnapshotExtras {
  readonly extensions?: readonly SnapshotExtension[];
  readonly notModeled?: readonly SnapshotNotModeled[];
}

export interface SchemaFile extends SnapshotExtras {
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
  extras: SnapshotExtras & { readonly dependencies?: readonly CatalogDependency[] } = {},
): string {
  const body = JSON.stringify(schema);
  // CatalogDependency has no `schema` field, so the header still holds `,"schema":` only as the schema's key.
  const head = {
    switchyardSnapshot: 1,
    fingerprint: fingerprint(schema),
    contentSha256: sha256(body),
    ...(database ? { database } : {}),
    ...(extras.dependencies
      ? { dependenciesSha256: sha256(JSON.stringify(extras.dependencies)), dependencies: extras.dependencies }
      : {}),
    ...(extras.extensions ? { extensions: extras.extensions } : {}),
    ...(extras.notModeled ? { notModeled: extras.notModeled } : {}),
  };
  return `${JSON.stringify(head).slice(0, -1) + SCHEMA_KEY + body}}\n`;
}

export async function loadSchemaFile(path: string): Promise<SchemaFile> {
  if (path.endsWith('.json')) return loadJson(path);
  // The declared-schema reader (its checks, libpg-query) is loaded by whoever reads one, not by `introspect`.
  const { parseDeclaredFile, readDeclaredText } = await import('./yaml.js');
  const text = await readDeclaredText(path);
  const { model, sqlSteps } = parseDeclaredFile(text, path);
  const stated = HEADER.exec(text)?.[1];
  const canonical = stated !== undefined && stated === fingerprint(model);
  return {
    model,
    canonical,
    ...(sqlSteps.length ? { sqlSteps } : {}),
    ...(stated !== undefined ? readYamlExtras(text, model) : {}),
  };
}

// ---- the YAML comment blocks ---------------------------------------------------------------------------

const EXTENSIONS_HEAD = '# Extensions';
const NOT_MODELED_HEAD = '# Not modeled by switchyard';
const Q = '"((?:[^"]|"")*)"';
const unq = (s: string | undefined) => s?.replaceAll('""', '"');

/**
 * One line of the not-modeled block back into its fields: the inverse of introspect's describeNotModeled
 * (`kind "name" on "schema"."table" (detail)`, `kind "schema"."name" (detail)`, `kind in schema "schema" (...)`,
 * `grants on schema "schema" (...)`). A multi-line detail was written on one line, and comes back so.
 */
export function parseNotModeledLine(line: string): SnapshotNotModeled | undefined {
  const detail = '(?: \\((.*)\\))?$';
  const shapes: ReadonlyArray<[RegExp, (m: RegExpExecArray) => SnapshotNotModeled]> = [
    [
      new RegExp(`^([a-z][a-z ]*?) ${Q} on ${Q}\\.${Q}${detail}`),
      (m) => ({ kind: m[1]!, schema: unq(m[3])!, table: unq(m[4])!, name: unq(m[2])! }),
    ],
    [
      new RegExp(`^([a-z][a-z ]*?) ${Q}\\.${Q}${detail}`),
      (m) => ({ kind: m[1]!, schema: unq(m[2])!, name: unq(m[3])! }),
    ],
    [new RegExp(`^([a-z][a-z ]*?) in schema ${Q}${detail}`), (m) => ({ kind: m[1]!, schema: unq(m[2])! })],
    [new RegExp(`^([a-z][a-z ]* schema) ${Q}${detail}`), (m) => ({ kind: m[1]!, schema: unq(m[2])! })],
  ];
  for (const [re, build] of shapes) {
    const m = re.exec(line);
    if (!m) continue;
    const d = m[m.length - 1];
    return { ...build(m), ...(d !== undefined ? { detail: d } : {}) };
  }
  return undefined;
}

/**
 * The database's extensions and what it holds outside the model, from a YAML snapshot: the extensions from its
 * `extensions:` section (snapshots written before it have a comment block instead), the rest from the comment
 * block introspect writes at the end (absent when empty).
 */
function readYamlExtras(text: string, model: DatabaseSchema): SnapshotExtras {
  const block = (head: string): string[] | undefined => {
    const at = text.indexOf(`\n${head} (`);
    if (at < 0) return undefined;
    const lines = text
      .slice(at + 1)
      .split('\n')
      .slice(1);
    const end = lines.findIndex((l) => !l.startsWith('#   '));
    return (end < 0 ? lines : lines.slice(0, end)).map((l) => l.slice(4));
  };
  const section = model.extensions?.flatMap((e) => (e.version !== undefined ? [{ ...e, version: e.version }] : []));
  const comment = block(EXTENSIONS_HEAD)?.flatMap((l) => {
    const m = new RegExp(`^${Q} (\\S+) in ${Q}$`).exec(l);
    return m ? [{ name: unq(m[1])!, version: m[2]!, schema: unq(m[3])! }] : [];
  });
  // Neither: a snapshot that records no extensions (not one of a database without any).
  const extensions = comment ?? section;
  const listed = block(NOT_MODELED_HEAD);
  return {
    ...(extensions ? { extensions } : {}),
    notModeled: (listed ?? []).flatMap((l) => {
      const n = parseNotModeledLine(l);
      return n ? [n] : [];
    }),
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
  // The header, written again from what was parsed, is the text before the schema's key (a not-modeled entry
  // of the header has a "schema" key of its own, so the first `,"schema":` may not be the model's).
  const { schema: _schema, ...head } = data;
  const prefix = JSON.stringify(head).slice(0, -1) + SCHEMA_KEY;
  const at = text.startsWith(prefix) ? prefix.length - SCHEMA_KEY.length : text.indexOf(SCHEMA_KEY);
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
    ...(data.extensions ? { extensions: data.extensions } : {}),
    ...(data.notModeled ? { notModeled: data.notModeled } : {}),
  };
}

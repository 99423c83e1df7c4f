// `switchyard diff`: typed changes from the live database to the declared schema.
import { describeTarget, resolveTarget, withClient } from '../db/connect.js';
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { diff, describeChange, type Change } from '../diff/index.js';
import { readExtensions } from '../introspect/extensions.js';
import { unmanagedExtensions } from './not-modeled.js';
import { assertModeled, introspect, inventory, type NotModeled, serverVersion } from '../introspect/index.js';
import { canonicalize, prepareSession, shadowUrl } from '../rehearsal/shadow.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { loadSchemaFile } from '../schema/declared/snapshot.js';
import { sqlStepsTaken, type SqlStepTaken } from '../executor/ledger.js';

/** Options of `diffCommand`: the database and the declared schema to compare it with. */
export interface DiffCommandOptions {
  readonly db?: string;
  readonly schema?: string;
  /** A server to canonicalize on instead of a throwaway one (`--shadow-db`); never needed on the target. */
  readonly shadowDb?: string;
  /** Refuse (NotModeledError, exit 1) when the database holds objects the model does not; default `strict:`. */
  readonly strict?: boolean;
  readonly notice?: (message: string) => void;
}

/** The typed changes from the live database to the declared schema, as `switchyard diff --json` prints them. */
export interface DiffResult {
  readonly database: string;
  readonly schemaFile: string;
  readonly source: { readonly fingerprint: string };
  readonly target: { readonly fingerprint: string };
  readonly changes: readonly Change[];
  readonly descriptions: readonly string[];
  /** Objects in the declared schemas that the model does not hold: the diff neither sees nor changes them. */
  readonly notModeled: readonly NotModeled[];
  /**
   * Declared raw SQL steps (`sql:`) a plan of the ledger ran or holds: not changes. The others are listed among
   * the changes (`run_sql`), since `plan` would plan them.
   */
  readonly sqlStepsTaken: readonly SqlStepTaken[];
}

/** Reads the live schema limited to the declared schemas, and the declared schema in canonical form. */
export async function loadSourceAndTarget(
  config: SwitchyardConfig,
  o: DiffCommandOptions,
): Promise<{
  source: DatabaseSchema;
  target: DatabaseSchema;
  schemaFile: string;
  database: string;
  notModeled: NotModeled[];
  sqlSteps: readonly Change[];
  sqlStepsTaken: SqlStepTaken[];
}> {
  const schemaFile = configPath(config, o.schema ?? config.schema);
  const file = await loadSchemaFile(schemaFile);
  const declared = file.model;
  const conn = resolveTarget(o.db, config.database, config.unsetVariables);
  const names = declared.schemas.map((s) => s.name);
  // Only reads on the target: the declared file is built on the shadow server, never here.
  const [source, major, extensions, notModeled, taken] = await withClient(conn, async (c) => {
    await prepareSession(c);
    return [
      await introspect(c, { includeSchemas: names }),
      (await serverVersion(c)).major,
      await readExtensions(c),
      await inventory(c, { includeSchemas: names }),
      await sqlStepsTaken(c, config.ledgerSchema),
    ] as const;
  });
  const takenNames = new Set(taken.map((t) => t.name));
  const sqlSteps = (file.sqlSteps ?? [])
    .filter((s) => !takenNames.has(s.name))
    .map((step): Change => ({ kind: 'run_sql', schema: '', step }));
  // Before canonicalizing: a strict run refuses without starting a throwaway server.
  assertModeled(notModeled, o.strict ?? config.strict);
  const unmanaged = unmanagedExtensions(declared, extensions, schemaFile);
  if (unmanaged) o.notice?.(unmanaged);
  const url = shadowUrl(o.shadowDb, config.shadow);
  const target = file.canonical
    ? declared
    : await canonicalize(declared, {
        major,
        file: schemaFile,
        extensions,
        ...(url ? { url } : {}),
        ...(o.notice ? { notice: o.notice } : {}),
      });
  return {
    // The database's extensions, read beside its model: what a declared `extensions:` is diffed against.
    source: { ...source, extensions },
    target,
    schemaFile,
    database: describeTarget(conn),
    notModeled,
    sqlSteps,
    sqlStepsTaken: (file.sqlSteps ?? []).flatMap((s) => taken.filter((t) => t.name === s.name)),
  };
}

/** `switchyard diff`: the typed changes from the live database to the declared schema. Writes nothing. */
export async function diffCommand(config: SwitchyardConfig, o: DiffCommandOptions): Promise<DiffResult> {
  const { source, target, schemaFile, database, notModeled, sqlSteps, sqlStepsTaken } = await loadSourceAndTarget(
    config,
    o,
  );
  const changes = [...diff(source, target), ...sqlSteps];
  return {
    database,
    schemaFile,
    source: { fingerprint: fingerprint(source) },
    target: { fingerprint: fingerprint(target) },
    changes,
    descriptions: changes.map(describeChange),
    notModeled,
    sqlStepsTaken,
  };
}

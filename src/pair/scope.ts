// What a pair replicates: the application schemas (as `introspect` selects them from switchyard.yaml), never
// the ledger schema, whose only published table is the heartbeat.
import type { SwitchyardConfig } from '../config/config.js';
import { DEFAULT_EXCLUDED, introspect, type IntrospectOptions, type Queryable } from '../introspect/index.js';
import type { DatabaseSchema } from '../schema/model/model.js';

export type ScopeConfig = Pick<SwitchyardConfig, 'ledgerSchema' | 'introspect'>;

export function applicationScope(config: ScopeConfig): IntrospectOptions {
  const never = new Set([config.ledgerSchema, ...DEFAULT_EXCLUDED]);
  const include = config.introspect.include?.filter((s) => !never.has(s));
  if (include) return { includeSchemas: include };
  return { excludeSchemas: [...new Set([...(config.introspect.exclude ?? []), ...never])] };
}

/** The live side's application schema, read the way `introspect` and `plan` read it. */
export async function readApplication(db: Queryable, config: ScopeConfig): Promise<DatabaseSchema> {
  return introspect(db, applicationScope(config));
}

export function schemaNames(model: DatabaseSchema): string[] {
  return model.schemas.map((s) => s.name);
}

export function tableNames(model: DatabaseSchema): Array<readonly [string, string]> {
  return model.schemas.flatMap((s) => s.tables.map((t) => [s.name, t.name] as const));
}

/** True when the schemas hold no table, sequence, enum or function (a fresh standby). */
export function isEmptyModel(model: DatabaseSchema): boolean {
  return model.schemas.every((s) => !s.tables.length && !s.sequences.length && !s.enums.length && !s.functions.length);
}

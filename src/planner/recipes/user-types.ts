// Domains, composite and range types, shared by their handlers: which tables hold columns of a type (the
// ones ALTER DOMAIN locks and scans), how a domain is described, and a domain's full recreation for rollbacks.
import type { DatabaseSchema, Domain, DomainCheck } from '../../schema/model/model.js';
import { identifierParts } from '../../schema/model/names.js';
import { ident, qualified } from '../../db/quote.js';
import { addDomainCheck, comment, createDomain, dropDomainCheck, validateDomainCheck } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { LockLevel, PlanContext, StepDraft } from '../types.js';

/** Whether a column type names `schema.name` (qualified, or bare and found in no other schema), array or not. */
function namesType(db: DatabaseSchema, type: string, schema: string, name: string): boolean {
  const parts = identifierParts(type.replace(/(\[\])+$/, ''));
  if (!parts) return false;
  const [a, b] = parts;
  if (b !== undefined) return a === schema && b === name;
  if (a !== name) return false;
  const owners = db.schemas.filter((s) =>
    [...s.enums, ...(s.domains ?? []), ...(s.composites ?? []), ...(s.ranges ?? [])].some((t) => t.name === name),
  );
  return owners.length === 1 && owners[0]?.name === schema;
}

/** [schema, table] of every table of `db` with a column of the type (directly or as an array), sorted. */
export function tablesOfType(db: DatabaseSchema, schema: string, name: string): (readonly [string, string])[] {
  return db.schemas.flatMap((s) =>
    s.tables
      .filter((t) => t.columns.some((c) => namesType(db, c.type, schema, name)))
      .map((t) => [s.name, t.name] as const),
  );
}

export const describeDomain = (schema: string, name: string): string => `domain ${qualified(schema, name)}`;
export const describeDomainCheck = (schema: string, domain: string, c: DomainCheck): string =>
  `check ${ident(c.name)} on domain ${qualified(schema, domain)}`;

/**
 * ALTER DOMAIN ... VALIDATE CONSTRAINT and SET NOT NULL scan every column of the domain, holding SHARE on each
 * table (writes wait for the scan) before PostgreSQL 18, SHARE UPDATE EXCLUSIVE for VALIDATE from 18 on.
 */
export function domainScanLock(ctx: PlanContext, validate: boolean): LockLevel {
  return validate && ctx.serverVersionNum >= 180000 ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE';
}

/** The statements recreating a dropped domain: CREATE DOMAIN (valid checks inline), NOT VALID checks, comment. */
export function recreateDomain(schema: string, d: Domain): string[] {
  return [
    createDomain(schema, d),
    ...d.checks.filter((c) => c.notValid).map((c) => addDomainCheck(schema, d.name, c, true)),
    ...(d.comment !== undefined ? [comment({ kind: 'type', schema, name: d.name }, d.comment)] : []),
  ];
}

/** VALIDATE a NOT VALID domain check in contract; PostgreSQL cannot unvalidate, so the rollback re-adds it NOT VALID. */
export function validateDomainCheckStep(ctx: PlanContext, schema: string, d: Domain, c: DomainCheck): StepDraft {
  const tables = tablesOfType(ctx.source, schema, d.name);
  return draft({
    phase: 'contract',
    action: 'validate_domain_check',
    description: `validate ${describeDomainCheck(schema, d.name, c)} (scans ${tables.length} table(s) with columns of it)`,
    sql: validateDomainCheck(schema, d.name, c.name),
    rollback: [dropDomainCheck(schema, d.name, c.name), addDomainCheck(schema, d.name, c, true)],
    lock: domainScanLock(ctx, true),
    locks: tables,
    hazards: ['FULL_SCAN', 'CORRECTNESS', 'USER_SQL'],
    requires: [key.constraint(schema, d.name, c.name)],
  });
}

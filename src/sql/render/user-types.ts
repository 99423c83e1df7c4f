// Domains, composite types and range types. Types and expressions are canonical SQL text from the model
// (format_type / pg_get_expr output, or declared text validate parsed) and are inserted verbatim; names always
// go through ident()/qualified()/objectName().
import type { CompositeAttribute, CompositeType, Domain, DomainCheck, RangeType } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { objectName } from './common.js';

/** The domain with its default, NOT NULL and checks; a check declared NOT VALID stays so (only ALTER can add one). */
export function createDomain(schema: string, d: Domain): string {
  const parts = [`CREATE DOMAIN ${qualified(schema, d.name)} AS ${d.type}`];
  if (d.collation !== undefined)
    parts.push(`COLLATE ${objectName(d.collation, `collation of domain ${qualified(schema, d.name)}`)}`);
  if (d.default !== undefined) parts.push(`DEFAULT ${d.default}`);
  if (d.notNull) parts.push('NOT NULL');
  for (const c of d.checks) if (!c.notValid) parts.push(`CONSTRAINT ${ident(c.name)} CHECK (${c.expression})`);
  return parts.join(' ');
}

/** Never CASCADE: columns of the domain are dropped or converted first. */
export function dropDomain(schema: string, name: string): string {
  return `DROP DOMAIN ${qualified(schema, name)}`;
}

const alterDomain = (schema: string, name: string, action: string): string =>
  `ALTER DOMAIN ${qualified(schema, name)} ${action}`;

/** NOT VALID: existing values of columns of the domain are not checked (VALIDATE CONSTRAINT does that). */
export function addDomainCheck(schema: string, domain: string, c: DomainCheck, notValid: boolean): string {
  return alterDomain(
    schema,
    domain,
    `ADD CONSTRAINT ${ident(c.name)} CHECK (${c.expression})${notValid ? ' NOT VALID' : ''}`,
  );
}

export function validateDomainCheck(schema: string, domain: string, name: string): string {
  return alterDomain(schema, domain, `VALIDATE CONSTRAINT ${ident(name)}`);
}

export function dropDomainCheck(schema: string, domain: string, name: string): string {
  return alterDomain(schema, domain, `DROP CONSTRAINT ${ident(name)}`);
}

export function setDomainDefault(schema: string, domain: string, expression: string | undefined): string {
  return alterDomain(schema, domain, expression === undefined ? 'DROP DEFAULT' : `SET DEFAULT ${expression}`);
}

export function setDomainNotNull(schema: string, domain: string, notNull: boolean): string {
  return alterDomain(schema, domain, notNull ? 'SET NOT NULL' : 'DROP NOT NULL');
}

function attribute(schema: string, type: string, a: CompositeAttribute): string {
  const collation =
    a.collation === undefined
      ? ''
      : ` COLLATE ${objectName(a.collation, `collation of attribute ${ident(a.name)} of ${qualified(schema, type)}`)}`;
  return `${ident(a.name)} ${a.type}${collation}`;
}

export function createComposite(schema: string, c: CompositeType): string {
  return `CREATE TYPE ${qualified(schema, c.name)} AS (${c.attributes.map((a) => attribute(schema, c.name, a)).join(', ')})`;
}

/** RESTRICT (the default): refused while a typed table uses the type; columns of the type are not rewritten. */
export function addAttribute(schema: string, type: string, a: CompositeAttribute): string {
  return `ALTER TYPE ${qualified(schema, type)} ADD ATTRIBUTE ${attribute(schema, type, a)}`;
}

export function dropAttribute(schema: string, type: string, name: string): string {
  return `ALTER TYPE ${qualified(schema, type)} DROP ATTRIBUTE ${ident(name)}`;
}

export function renameAttribute(schema: string, type: string, from: string, to: string): string {
  return `ALTER TYPE ${qualified(schema, type)} RENAME ATTRIBUTE ${ident(from)} TO ${ident(to)}`;
}

/** Function names are the model's quoted qualified text (`pg_catalog.float8mi`), checked by objectName. */
export function createRange(schema: string, r: RangeType): string {
  const what = `range type ${qualified(schema, r.name)}`;
  const options = [`SUBTYPE = ${r.subtype}`];
  if (r.subtypeOpclass !== undefined) options.push(`SUBTYPE_OPCLASS = ${objectName(r.subtypeOpclass, what)}`);
  if (r.collation !== undefined) options.push(`COLLATION = ${objectName(r.collation, what)}`);
  if (r.canonical !== undefined) options.push(`CANONICAL = ${objectName(r.canonical, what)}`);
  if (r.subtypeDiff !== undefined) options.push(`SUBTYPE_DIFF = ${objectName(r.subtypeDiff, what)}`);
  if (r.multirange !== undefined) options.push(`MULTIRANGE_TYPE_NAME = ${qualified(schema, r.multirange)}`);
  return `CREATE TYPE ${qualified(schema, r.name)} AS RANGE (${options.join(', ')})`;
}

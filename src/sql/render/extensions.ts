// Extensions on a server switchyard builds a schema on (shadow, rehearsal, standby): the source's extensions,
// created before the schema that uses them. Creating or changing extensions as part of a plan is not here.
import { ident } from '../../db/quote.js';

/** The schema an extension lives in, which the declared schema may or may not create itself. */
export function createSchemaIfMissing(name: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${ident(name)}`;
}

/** The source's extension, at the server's default version (the one the server ships). */
export function createExtension(name: string, schema: string): string {
  return `CREATE EXTENSION IF NOT EXISTS ${ident(name)} WITH SCHEMA ${ident(schema)}`;
}

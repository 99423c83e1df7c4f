// Extensions: on a server switchyard builds a schema on (shadow, rehearsal, standby), the source's extensions,
// created before the schema that uses them; in a plan, the declared extensions created, updated and dropped.
import { ident, literal } from '../../db/quote.js';

/** The schema an extension lives in, which the declared schema may or may not create itself. */
export function createSchemaIfMissing(name: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${ident(name)}`;
}

/** The source's extension, at the server's default version (the one the server ships). */
export function createExtension(name: string, schema: string): string {
  return `CREATE EXTENSION IF NOT EXISTS ${ident(name)} WITH SCHEMA ${ident(schema)}`;
}

/** A plan's CREATE EXTENSION: no IF NOT EXISTS (the plan knows it is absent), the pinned version when there is one. */
export function createExtensionStatement(name: string, schema: string, version?: string): string {
  return `CREATE EXTENSION ${ident(name)} WITH SCHEMA ${ident(schema)}${version !== undefined ? ` VERSION ${literal(version)}` : ''}`;
}

/** Never CASCADE: an object still using the extension makes it fail, naming the object. */
export function dropExtension(name: string): string {
  return `DROP EXTENSION ${ident(name)}`;
}

export function updateExtension(name: string, version: string): string {
  return `ALTER EXTENSION ${ident(name)} UPDATE TO ${literal(version)}`;
}

/** A declared extension in a whole-schema build: IF NOT EXISTS, since the server may have it already. */
export function createExtensionIfMissing(name: string, schema: string, version?: string): string {
  return `CREATE EXTENSION IF NOT EXISTS ${ident(name)} WITH SCHEMA ${ident(schema)}${version !== undefined ? ` VERSION ${literal(version)}` : ''}`;
}

// The replication statements a pair runs, rendered as data (unit-tested as exact SQL). Every name goes through
// ident()/qualified()/literal(); the only free text is the connection string, passed as a literal.
import { ident, identList, literal, qualified } from '../db/quote.js';
import { parseConninfo, withKeywords } from '../db/conninfo.js';
import { redactUrl } from '../db/redact.js';

/** A published table; with `columns`, only those (a column list, 15+: how the new side publishes what the old has). */
export type PublishedTable = readonly [schema: string, table: string, columns?: readonly string[]];

export interface PublicationContent {
  /** Application schemas, published whole (`FOR TABLES IN SCHEMA`, PostgreSQL 15+, superuser). */
  readonly schemas?: readonly string[];
  /** Tables published one by one: the application tables when `schemas` is not used, and the heartbeat. */
  readonly tables: readonly PublishedTable[];
}

function publicationTargets(c: PublicationContent): string {
  const parts: string[] = [];
  // PostgreSQL refuses column lists in a publication that also publishes whole schemas.
  if (c.schemas?.length && c.tables.some((t) => t[2]))
    throw new TypeError('column lists cannot be combined with FOR TABLES IN SCHEMA');
  if (c.schemas?.length) parts.push(`TABLES IN SCHEMA ${identList(c.schemas)}`);
  if (c.tables.length)
    parts.push(
      `TABLE ${c.tables.map(([s, t, cols]) => qualified(s, t) + (cols ? ` (${identList(cols)})` : '')).join(', ')}`,
    );
  if (!parts.length) throw new TypeError('a publication needs at least one schema or table');
  return parts.join(', ');
}

export function createPublication(name: string, content: PublicationContent): string {
  return `CREATE PUBLICATION ${ident(name)} FOR ${publicationTargets(content)}`;
}

/** Replaces what an existing publication publishes (idempotent reruns converge on the same content). */
export function setPublication(name: string, content: PublicationContent): string {
  return `ALTER PUBLICATION ${ident(name)} SET ${publicationTargets(content)}`;
}

export function dropPublication(name: string): string {
  return `DROP PUBLICATION IF EXISTS ${ident(name)}`;
}

/** Made apart from the subscription: subscribing within one cluster hangs otherwise, and init can check it. */
export function createSlot(name: string): string {
  return `SELECT pg_create_logical_replication_slot(${literal(name)}, 'pgoutput')`;
}

export function dropSlot(name: string): string {
  return `SELECT pg_drop_replication_slot(${literal(name)})`;
}

export interface SubscriptionOptions {
  readonly copyData: boolean;
  /** Created disabled (default enabled): a reverse stream made ahead of the fence and enabled at cutover. */
  readonly enabled?: boolean;
  /** `origin = none` (16+): changes that arrived on the publisher by replication are not sent back. */
  readonly originNone: boolean;
}

/** The connection string is a secret (it may hold a password): never print the statement. */
export function createSubscription(
  name: string,
  conninfo: string,
  publication: string,
  o: SubscriptionOptions,
): string {
  const options = [
    `create_slot = false`,
    `slot_name = ${literal(name)}`,
    `copy_data = ${o.copyData}`,
    ...(o.enabled === false ? ['enabled = false'] : []),
    ...(o.originNone ? ['origin = none'] : []),
  ];
  return `CREATE SUBSCRIPTION ${ident(name)} CONNECTION ${literal(conninfo)} PUBLICATION ${ident(publication)} WITH (${options.join(', ')})`;
}

/**
 * Dropping a subscription normally drops its slot on the publisher, over a connection that may be down. The
 * pair drops slots itself, so the subscription is first disabled and detached from its slot.
 */
export function detachSubscription(name: string): string[] {
  return [
    `ALTER SUBSCRIPTION ${ident(name)} DISABLE`,
    `ALTER SUBSCRIPTION ${ident(name)} SET (slot_name = NONE)`,
    `DROP SUBSCRIPTION ${ident(name)}`,
  ];
}

/**
 * The connection string the subscriber uses to reach the publisher: its URL, logging in as `replicationUser`
 * when one is configured (the URL's password is then dropped: it is not that role's). `password`, when given,
 * is put in the string: PostgreSQL 16+ requires one in a non-superuser's subscription connection.
 */
export function subscriptionConninfo(publisherUrl: string, replicationUser?: string, password?: string): string {
  const other = replicationUser !== undefined && parseConninfo(publisherUrl).user !== replicationUser;
  const base = other ? withKeywords(publisherUrl, { user: replicationUser, password: undefined }) : publisherUrl;
  return password && !parseConninfo(base).password ? withKeywords(base, { password }) : base;
}

/** For messages: the conninfo without its password. */
export function describeConninfo(conninfo: string): string {
  return redactUrl(conninfo);
}

/** A new schema's tables join a running stream: whole schemas, or tables with their column lists. */
export function addToPublication(name: string, content: PublicationContent): string {
  return `ALTER PUBLICATION ${ident(name)} ADD ${publicationTargets(content)}`;
}

/** Picks up tables added to the publication; `copy_data` copies only those new tables' rows. */
export function refreshSubscription(name: string): string {
  return `ALTER SUBSCRIPTION ${ident(name)} REFRESH PUBLICATION WITH (copy_data = true)`;
}

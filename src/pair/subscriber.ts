// The connection a subscription keeps to its publisher. It lives in the subscriber's catalog (`subconninfo`,
// readable by superusers only) and the subscriber's server, not switchyard, opens it. PostgreSQL 16+ refuses a
// non-superuser's subscription unless the string holds a password the publisher asks for, so a password
// switchyard itself finds the way libpq does (the URL, its service, PGPASSWORD, ~/.pgpass) is written into it.
// The string is a secret: it goes into CREATE SUBSCRIPTION and nowhere else (no message, plan, log or ledger).
import { parseConninfo } from '../db/conninfo.js';
import { lookupPassword } from '../db/libpq.js';
import { subscriptionConninfo } from './sql.js';

export interface SubscriberConnection {
  /** The connection string, password included when one was found: never print it. */
  readonly conninfo: string;
  /** Where its password came from (for messages): the URL, libpq's other sources, or none at all. */
  readonly password: 'url' | 'looked-up' | 'none';
  /** The role the subscription logs in to the publisher as (undefined: libpq's default user). */
  readonly user: string | undefined;
}

/** The subscription's connection to `publisherUrl`, as `replicationUser` when one is configured. */
export async function subscriberConnection(
  publisherUrl: string,
  replicationUser?: string,
): Promise<SubscriberConnection> {
  const plain = subscriptionConninfo(publisherUrl, replicationUser);
  const user = parseConninfo(plain).user;
  if (parseConninfo(plain).password) return { conninfo: plain, password: 'url', user };
  // PGPASSWORD is the password of the role the environment logs in as, not of a separate replication role.
  const found = await lookupPassword(plain, { fromEnvironment: plain === publisherUrl }).catch(() => undefined);
  if (!found) return { conninfo: plain, password: 'none', user };
  return { conninfo: subscriptionConninfo(publisherUrl, replicationUser, found), password: 'looked-up', user };
}

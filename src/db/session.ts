// The session every introspection, build and executor session runs under.
import type pg from 'pg';

/**
 * Session settings every introspection, build and executor session runs under, so that both sides of a diff
 * print alike, and declared SQL means here what PostgreSQL's parser (libpg-query) read it as: string literals
 * with standard_conforming_strings on, where a backslash is only a backslash.
 */
export async function prepareSession(client: Pick<pg.Client, 'query'>): Promise<void> {
  await client.query("SET search_path TO public; SET timezone TO 'UTC'; SET standard_conforming_strings = on");
}

// The foundation's acceptance test: for every SQL fixture, build the database from SQL, introspect it to YAML,
// create the declared schema on an empty database, introspect again: identical fingerprints; and
// `diff --exit-code` of the YAML against the first database exits 0.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { introspect } from '../../../src/introspect/index.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import { parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';
import { renderDatabase } from '../../../src/sql/render/index.js';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';
import { fixtureNames, fixtureSql } from '../introspect/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'sy-roundtrip-'));

describe('round trip: SQL -> database -> YAML -> database', () => {
  it('covers at least 15 fixtures', () => {
    expect(fixtureNames().length).toBeGreaterThanOrEqual(15);
  });

  it.each(fixtureNames())('%s', async (name) => {
    const first = await freshDatabase();
    await first.client.query(fixtureSql(name));
    const live = await introspect(first.client);
    const yaml = toYaml(live);
    const declared = parseDeclared(yaml, `${name}.yaml`);
    expect(fingerprint(declared)).toBe(fingerprint(live));

    const second = await freshDatabase();
    // SQL-language function bodies may name tables created later in the script, as pg_dump knows.
    await second.client.query('SET check_function_bodies = off');
    for (const statement of renderDatabase(declared)) {
      try {
        await second.client.query(statement);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${statement}`, { cause: e });
      }
    }
    const rebuilt = await introspect(second.client);
    expect(rebuilt).toEqual(live);
    expect(fingerprint(rebuilt)).toBe(fingerprint(live));

    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, yaml);
    const d = await cli('diff', '--db', first.url, '--schema', file, '--exit-code');
    expect(d.stdout + d.stderr).toContain('no changes');
    expect(d.code).toBe(0);
  });
});

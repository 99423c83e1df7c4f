// Extensions under a declared `extensions:`: what the differ emits, the exact SQL of each step and its
// rollback, the order around schemas and dropped columns, and the YAML written back.
import { describe, expect, it } from 'vitest';
import { diff } from '../../../src/diff/index.js';
import { allSteps, buildPlan } from '../../../src/planner/plan.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';
import { renderDatabase } from '../../../src/sql/render/index.js';

const db = (extensions?: DatabaseSchema['extensions']): DatabaseSchema => ({
  schemas: [{ kind: 'schema', name: 'public', enums: [], sequences: [], tables: [], functions: [] }],
  ...(extensions ? { extensions } : {}),
});
const plan = (from: DatabaseSchema, to: DatabaseSchema) =>
  allSteps(buildPlan(from, to, { name: 'x', number: 1, server: { version: '17', versionNum: 170000 } })).map((s) => [
    `${s.release} ${s.phase} ${s.action}`,
    s.sql,
    s.rollback.join('; '),
    s.hazards.join(','),
  ]);

describe('diff of extensions', () => {
  it('emits nothing when the target does not manage extensions, whatever the source has', () => {
    expect(diff(db([{ name: 'citext', schema: 'public', version: '1.6' }]), db())).toEqual([]);
  });

  it('emits nothing when the source extensions are unknown (a snapshot that records none)', () => {
    expect(diff(db(), db([{ name: 'citext', schema: 'public' }]))).toEqual([]);
    expect(diff(db([]), db([{ name: 'citext', schema: 'public' }])).map((c) => c.kind)).toEqual(['create_extension']);
  });

  it('creates, drops, updates a pinned version, and ignores an unpinned one', () => {
    const from = db([
      { name: 'citext', schema: 'public', version: '1.6' },
      { name: 'hstore', schema: 'public', version: '1.8' },
      { name: 'pg_trgm', schema: 'public', version: '1.5' },
    ]);
    const to = db([
      { name: 'citext', schema: 'public' },
      { name: 'cube', schema: 'ext' },
      { name: 'pg_trgm', schema: 'public', version: '1.6' },
    ]);
    expect(diff(from, to).map((c) => c.kind)).toEqual(['create_extension', 'alter_extension', 'drop_extension']);
    expect(plan(from, to)).toEqual([
      ['1 expand create_extension', 'CREATE EXTENSION cube WITH SCHEMA ext', 'DROP EXTENSION cube', ''],
      ['1 expand update_extension', "ALTER EXTENSION pg_trgm UPDATE TO '1.6'", '', 'IRREVERSIBLE'],
      [
        '2 contract drop_extension',
        'DROP EXTENSION hstore',
        "CREATE EXTENSION hstore WITH SCHEMA public VERSION '1.8'",
        '',
      ],
    ]);
  });

  it('quotes names and versions: identifiers through ident, versions as literals', () => {
    const to = db([{ name: 'uuid-ossp', schema: 'My Ext', version: "1.1'x" }]);
    expect(plan(db([]), to)[0]!.slice(1, 3)).toEqual([
      `CREATE EXTENSION "uuid-ossp" WITH SCHEMA "My Ext" VERSION '1.1''x'`,
      'DROP EXTENSION "uuid-ossp"',
    ]);
  });

  it('leaves the fingerprint alone: it describes the schemas', () => {
    expect(fingerprint(db([{ name: 'citext', schema: 'public', version: '1.6' }]))).toBe(fingerprint(db()));
  });
});

describe('declared and emitted', () => {
  it('reads `extensions:`, keeps a version as written, and writes it back first, public left implicit', () => {
    const text =
      'extensions:\n  pg_trgm: { version: 1.10 }\n  hstore: { schema: ext }\n  citext: {}\nschemas:\n  ext: {}\n';
    const model = parseDeclared(text, 'x.yaml');
    expect(model.extensions).toEqual([
      { name: 'citext', schema: 'public' },
      { name: 'hstore', schema: 'ext' },
      { name: 'pg_trgm', schema: 'public', version: '1.10' },
    ]);
    const yaml = toYaml(model);
    expect(yaml.split('\nschemas:')[0]).toBe(
      'extensions:\n  citext: {}\n  hstore: { schema: ext }\n  pg_trgm: { version: "1.10" }',
    );
    expect(parseDeclared(yaml, 'y.yaml')).toEqual(model);
    expect(renderDatabase(model).slice(0, 4)).toEqual([
      'CREATE SCHEMA ext',
      'CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public',
      'CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA ext',
      "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public VERSION '1.10'",
    ]);
  });

  it('an empty section manages extensions (drops every installed one); no section leaves them alone', () => {
    expect(parseDeclared('extensions: {}\nschemas: {}\n', 'x.yaml').extensions).toEqual([]);
    expect(parseDeclared('schemas: {}\n', 'x.yaml').extensions).toBeUndefined();
  });
});

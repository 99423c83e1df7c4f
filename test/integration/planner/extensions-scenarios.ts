// Scenario data for kinds.test.ts: extensions managed by a declared `extensions:`, created before what uses
// them and dropped after it. (A pinned version's update has no rollback: test/integration/planner/extensions.test.ts.)
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { allSteps } from '../../../src/planner/plan.js';
import type { Plan } from '../../../src/planner/types.js';
import type { KindScenario } from './kinds-scenarios.js';

const USERS = `
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);
INSERT INTO users (email) VALUES ('Ana@Example.com'), ('bo@example.org');`;

type Decl = Record<string, unknown>;
const USERS_COLUMNS: Decl = {
  id: { type: 'bigint', nullable: false, identity: 'always' },
  email: { type: 'text', nullable: false },
};

function declare(extensions: Decl | undefined, users: Decl): string {
  return stringify({
    ...(extensions ? { extensions } : {}),
    schemas: { public: { tables: { users: { primaryKey: { columns: ['id'] }, ...users } } } },
  });
}

const actions = (p: Plan) => allSteps(p).map((s) => `${s.release} ${s.phase} ${s.action}`);

export const EXTENSION_SCENARIOS: readonly KindScenario[] = [
  {
    name: 'two extensions, a column of one type and a trigram index of the other, created first',
    kind: 'create_extension',
    source: USERS,
    target: declare(
      { citext: {}, pg_trgm: { version: '1.6' } },
      {
        columns: { ...USERS_COLUMNS, login: { type: 'public.citext' } },
        indexes: {
          users_email_trgm: { method: 'gin', keys: [{ column: 'email', opclass: '"public"."gin_trgm_ops"' }] },
        },
      },
    ),
    plan: (p) => {
      expect(actions(p).slice(0, 2)).toEqual(['1 expand create_extension', '1 expand create_extension']);
      expect(allSteps(p)[0]!.sql).toBe('CREATE EXTENSION citext WITH SCHEMA public');
      expect(allSteps(p)[1]!.sql).toBe("CREATE EXTENSION pg_trgm WITH SCHEMA public VERSION '1.6'");
      expect(allSteps(p)[1]!.rollback).toEqual(['DROP EXTENSION pg_trgm']);
    },
  },
  {
    name: 'an extension in a schema of its own, created after the schema',
    kind: 'create_extension',
    source: USERS,
    target: stringify({
      extensions: { hstore: { schema: 'ext' } },
      schemas: {
        ext: {},
        public: {
          tables: {
            users: { primaryKey: { columns: ['id'] }, columns: { ...USERS_COLUMNS, prefs: { type: 'ext.hstore' } } },
          },
        },
      },
    }),
    plan: (p) => {
      expect(actions(p).slice(0, 2)).toEqual(['1 expand create_schema', '1 expand create_extension']);
    },
  },
  {
    name: 'an extension no longer declared, dropped after the column using it (never CASCADE)',
    kind: 'drop_extension',
    source: `CREATE EXTENSION citext; ${USERS} ALTER TABLE users ADD COLUMN login citext;`,
    target: declare({}, { columns: USERS_COLUMNS }),
    plan: (p) => {
      const a = actions(p);
      expect(a.indexOf('2 contract drop_column')).toBeGreaterThanOrEqual(0);
      expect(a.at(-1)).toBe('2 contract drop_extension');
      const drop = allSteps(p).at(-1)!;
      expect(drop.sql).toBe('DROP EXTENSION citext');
      expect(drop.rollback).toEqual([
        expect.stringMatching(/^CREATE EXTENSION citext WITH SCHEMA public VERSION '1\.\d+'$/),
      ]);
    },
  },
];

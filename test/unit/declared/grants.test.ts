// Declared grants and default privileges: the short YAML an architect writes, its canonical model (one entry per
// role, grant option and column set; privileges in PostgreSQL's order), the YAML written back, and the problems
// PostgreSQL would refuse, each at its line.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/errors.js';
import { analyzeDeclared, parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';

const FILE = `schemas:
  app:
    grants: [{ role: web, privileges: [USAGE] }]
    enums:
      mood: { values: [ok], grants: [{ role: web, privileges: [USAGE], withGrantOption: true }] }
    sequences:
      n: { grants: [{ role: web, privileges: [USAGE, SELECT] }] }
    tables:
      users:
        columns: { id: { type: bigint }, email: { type: text } }
        grants:
          - { role: web, privileges: [SELECT] }
          - { role: web, privileges: [INSERT] }
          - { role: ro, privileges: [SELECT], columns: [id] }
          - { role: ro, privileges: [SELECT], columns: [email] }
          - { role: ro, privileges: [UPDATE], columns: [email] }
defaultPrivileges:
  - { forRole: deploy, schema: app, on: tables, role: ro, privileges: [SELECT] }
  - { forRole: deploy, on: functions, role: web, privileges: [EXECUTE], withGrantOption: true }
`;

describe('declared grants', () => {
  it('are read into their canonical form and written back as short YAML that reads the same', () => {
    const model = parseDeclared(FILE, 'schema.yaml');
    const app = model.schemas[0]!;
    expect(app.grants).toEqual([{ role: 'web', privileges: ['USAGE'] }]);
    expect(app.tables[0]!.grants).toEqual([
      { role: 'ro', privileges: ['SELECT', 'UPDATE'], columns: ['email'] },
      { role: 'ro', privileges: ['SELECT'], columns: ['id'] },
      { role: 'web', privileges: ['INSERT', 'SELECT'] },
    ]);
    expect(app.sequences[0]!.grants).toEqual([{ role: 'web', privileges: ['SELECT', 'USAGE'] }]);
    expect(model.defaultPrivileges).toEqual([
      { forRole: 'deploy', on: 'functions', role: 'web', privileges: ['EXECUTE'], withGrantOption: true },
      { forRole: 'deploy', schema: 'app', on: 'tables', role: 'ro', privileges: ['SELECT'] },
    ]);
    const yaml = toYaml(model);
    expect(yaml).toContain(`        grants:
          - { role: ro, privileges: [ SELECT, UPDATE ], columns: [ email ] }
          - { role: ro, privileges: [ SELECT ], columns: [ id ] }
          - { role: web, privileges: [ INSERT, SELECT ] }
`);
    expect(yaml).toContain(`      mood:
        values: [ ok ]
        grants:
          - { role: web, privileges: [ USAGE ], withGrantOption: true }
`);
    expect(parseDeclared(yaml, 'again.yaml')).toEqual(model);
  });

  it.each([
    [
      'a privilege the object class does not have',
      `schemas:\n  app:\n    sequences:\n      n: { grants: [{ role: web, privileges: [INSERT] }] }\n`,
      'schema.yaml:4:',
      'INSERT cannot be granted on a sequence',
    ],
    [
      'a column grant with a table-only privilege',
      `schemas:\n  app:\n    tables:\n      t:\n        columns: { id: { type: bigint } }\n        grants: [{ role: web, privileges: [DELETE], columns: [id] }]\n`,
      'schema.yaml:6:',
      'DELETE cannot be granted on columns',
    ],
    [
      'a column grant on an undeclared column',
      `schemas:\n  app:\n    tables:\n      t:\n        columns: { id: { type: bigint } }\n        grants: [{ role: web, privileges: [SELECT], columns: [idd] }]\n`,
      'schema.yaml:6:',
      'names column "idd", which is not declared',
    ],
    [
      "PUBLIC's built-in EXECUTE on a function",
      `schemas:\n  app:\n    functions:\n      - name: f\n        definition: x\n        grants: [{ role: PUBLIC, privileges: [EXECUTE] }]\n`,
      'schema.yaml:6:',
      'PUBLIC has EXECUTE on every function by default',
    ],
    [
      'default privileges on schemas limited to a schema',
      `schemas: {}\ndefaultPrivileges:\n  - { forRole: deploy, schema: app, on: schemas, role: web, privileges: [USAGE] }\n`,
      'schema.yaml:3:',
      'default privileges on schemas cannot be limited to a schema',
    ],
    [
      'an unknown privilege',
      `schemas:\n  app:\n    grants: [{ role: web, privileges: [READ] }]\n`,
      'schema.yaml:3:',
      'privileges',
    ],
  ])('refuses %s, at its line', (_, yaml, at, message) => {
    const shown = analyzeDeclared(yaml, 'schema.yaml').problems.map(formatProblem);
    expect(
      shown.filter((p) => p.startsWith(at) && p.includes(message)),
      shown.join('\n'),
    ).toHaveLength(1);
  });
});

// toYaml writes its text directly; the yaml library's Document used to (test/support/emit-reference.ts).
// Introspected YAML is committed by users, so the two must agree byte for byte on every model: the fixtures,
// the unit tests' models, every hostile string in every field, thousands of random models, and the
// 2,000-table benchmark model. Random models that are valid declared schemas must also read back.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { normalizeDatabase } from '../../../src/schema/model/normalize.js';
import { analyzeDeclared, parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';
import { HOSTILE, largeModel, modelWith } from '../../support/emit-models.js';
import { hostileModel, Random, ValidModels } from '../../support/emit-random.js';
import { referenceToYaml } from '../../support/emit-reference.js';
import { app, col, db, fk, idx, notNull, pk, schema, shop, table, users } from '../diff/fixtures.js';

/** The text, or that writing failed (a model repeating a name in one mapping cannot be written). */
function outcome(emit: (m: DatabaseSchema) => string, m: DatabaseSchema): string {
  try {
    return emit(m);
  } catch {
    return '(threw)';
  }
}

function expectSame(m: DatabaseSchema, label: string): void {
  expect(outcome(toYaml, m), label).toBe(outcome(referenceToYaml, m));
}

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('toYaml writes what the yaml library wrote', () => {
  it('for the declared fixtures and example schemas', () => {
    for (const path of [
      '../../fixtures/declared/example.yaml',
      '../../fixtures/declared/example.out.yaml',
      '../../../migrations/example/schema.yaml',
      '../../../migrations/runbook/schema.yaml',
    ]) {
      const m = parseDeclared(read(path), path);
      expect(toYaml(m), path).toBe(referenceToYaml(m));
    }
  });

  it("for the unit tests' models", () => {
    const models: DatabaseSchema[] = [
      shop(),
      app(users),
      db(schema('empty')),
      { schemas: [] },
      app(
        table('t', [notNull('id'), col('p')], {
          primaryKey: pk('t_pkey', ['id']),
          indexes: [idx('t_p_idx', ['p'], { method: 'hash' })],
          foreignKeys: [fk('t_p_fkey', ['p'], 't', ['id'])],
        }),
      ),
    ];
    models.forEach((m, i) => {
      expect(toYaml(m), `model ${i}`).toBe(referenceToYaml(m));
    });
  });

  it('for every hostile string in every field', () => {
    for (const s of HOSTILE) expectSame(modelWith(s), JSON.stringify(s));
  }, 60_000);

  it('for 2,000 random models with hostile strings everywhere', () => {
    const random = new Random(20261122);
    for (let i = 0; i < 2000; i++) expectSame(hostileModel(random), `hostile model ${i}`);
  }, 60_000);

  it('for the 2,000-table model', () => {
    const m = largeModel();
    expect(toYaml(m)).toBe(referenceToYaml(m));
  }, 30_000);
});

describe('random valid models', () => {
  it('are written as the library wrote them, and read back with the same fingerprint', () => {
    const models = new ValidModels(new Random(42));
    let valid = 0;
    for (let i = 0; i < 500; i++) {
      const m = models.model();
      const yaml = toYaml(m);
      expect(yaml, `valid model ${i}`).toBe(referenceToYaml(m));
      const { model, problems } = analyzeDeclared(yaml, `valid-${i}.yaml`);
      if (!model) {
        // Validation may refuse a hostile name; the text was still compared with the reference above.
        expect(problems.length).toBeGreaterThan(0);
        continue;
      }
      valid++;
      expect(fingerprint(model), `valid model ${i}`).toBe(fingerprint(m));
      expect(model, `valid model ${i}`).toEqual(normalizeDatabase(m));
    }
    expect(valid).toBeGreaterThan(400);
  }, 60_000);
});

// Two flaws of the library's text that toYaml keeps, since it must match it byte for byte. The random valid
// models above avoid the first; the second needs a line break in a name.
describe('like the library, toYaml', () => {
  it('loses the spaces of a multi-line string of spaces and line breaks only (a |+ literal of blank lines)', () => {
    const m = db(schema('app', { comment: '  \n' }));
    expect(toYaml(m)).toBe('schemas:\n  app:\n    comment: |+\n        \n');
    expect(parseDeclared(toYaml(m), 'x.yaml').schemas[0]?.comment).toBe('\n');
  });

  it('may write a name with line breaks in a flow mapping as a plain scalar that does not parse', () => {
    const t = table('t', [col(':\n\n|')], {
      indexes: [idx('t_i', [], { keys: [{ column: ':\n\n|', order: 'desc' }] })],
    });
    expect(toYaml(app(t))).toContain('              - {\n                  column: :\n\n\n                    |,\n');
    expect(analyzeDeclared(toYaml(app(t)), 'x.yaml').problems[0]?.message).toMatch(/^YAML syntax/);
  });
});

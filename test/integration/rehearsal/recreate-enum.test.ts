// A plan removing an enum value, rehearsed end to end: recreate_enum's steps must say what they do (the last
// one renames the replacement into place, so it creates the type the DROP TYPE before it removed), or the
// rehearsal's expectation check refuses the contract phase. Sample rows hold only values the target keeps
// (`previous` has no default), as rows the application wrote after release 1 would.
import { describe, expect, it } from 'vitest';
import { allSteps } from '../../../src/planner/plan.js';
import { rehearse } from '../../../src/rehearsal/rehearse.js';
import { freshDatabase } from '../../support/db.js';
import { planScenario } from '../../support/scenario.js';

const SOURCE = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'meh');
CREATE TABLE visit (id bigint PRIMARY KEY, mood mood NOT NULL DEFAULT 'ok', previous mood);`;

const TARGET = `
schemas:
  public:
    enums:
      mood: [sad, ok]
    tables:
      visit:
        columns:
          id: { type: bigint, nullable: false }
          mood: { type: mood, nullable: false, default: "'ok'::mood" }
          previous: { type: mood }
        primaryKey: { columns: [id] }
`;

describe('rehearsing recreate_enum', () => {
  it('a plan removing an enum value passes the rehearsal, expectations included', async () => {
    const db = await freshDatabase();
    const { plan } = await planScenario(db, SOURCE, TARGET);
    const rename = allSteps(plan).find((s) => s.action === 'rename_enum_replacement')!;
    expect(rename.creates).toContain('type:public\u001fmood');
    const report = await rehearse(plan, { sampleRows: 20 });
    expect(report.failure, JSON.stringify(report.failure)).toBeUndefined();
    expect(report.passed).toBe(true);
  });
});

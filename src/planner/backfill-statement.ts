// The one UPDATE a backfill step shows reviewers (its `sql`, written to migrations/NNNN_*/) and the batches the
// executor runs from its spec must say the same thing: the step's sql is rendered from the spec here, and a plan
// whose spec and sql disagree (one edited by hand) is refused before anything runs (sql-check.ts).
import { ident, qualified } from '../db/quote.js';
import type { BackfillSpec } from './types.js';

export function backfillStatement(spec: BackfillSpec): string {
  const set = spec.set.map((s) => `${ident(s.column)} = ${s.expression}`).join(', ');
  return `UPDATE ${qualified(spec.schema, spec.table)} SET ${set} WHERE ${spec.where}`;
}

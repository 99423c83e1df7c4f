// Triggers: the recipes' sync triggers (ENABLE ALWAYS, so rows applied by logical replication fire them too).
import type { Trigger, TriggerEnabled } from '../../schema/model/model.js';
import { ident, identList, literal, qualified } from '../../db/quote.js';
import { InvalidModelError } from '../../errors.js';
import { alterTable } from './common.js';

/**
 * Created in the default mode (`origin`); set any other mode with enableTrigger. `orReplace` (PostgreSQL 14+)
 * swaps the definition of a trigger of the same name in one statement, and resets its mode to `origin` too.
 */
export function createTrigger(schema: string, table: string, tr: Trigger, o: { orReplace?: boolean } = {}): string {
  if (tr.events.length === 0)
    throw new InvalidModelError(`trigger ${ident(tr.name)}`, 'a trigger needs at least one event');
  if (o.orReplace && tr.constraint)
    throw new InvalidModelError(`trigger ${ident(tr.name)}`, 'a constraint trigger cannot be replaced in place');
  const events = tr.events.map((e) =>
    e === 'update' && tr.columns?.length ? `UPDATE OF ${identList(tr.columns)}` : e.toUpperCase(),
  );
  const referencing = [
    ...(tr.oldTable !== undefined ? [`OLD TABLE AS ${ident(tr.oldTable)}`] : []),
    ...(tr.newTable !== undefined ? [`NEW TABLE AS ${ident(tr.newTable)}`] : []),
  ];
  const deferral = tr.constraint
    ? tr.deferrable
      ? ` DEFERRABLE INITIALLY ${tr.initiallyDeferred ? 'DEFERRED' : 'IMMEDIATE'}`
      : ' NOT DEFERRABLE'
    : '';
  return (
    `CREATE ${o.orReplace ? 'OR REPLACE ' : ''}${tr.constraint ? 'CONSTRAINT ' : ''}TRIGGER ${ident(tr.name)} ${tr.timing.toUpperCase()} ${events.join(' OR ')}` +
    ` ON ${qualified(schema, table)}${deferral}` +
    (referencing.length ? ` REFERENCING ${referencing.join(' ')}` : '') +
    ` FOR EACH ${tr.forEach.toUpperCase()}` +
    (tr.when !== undefined ? ` WHEN (${tr.when})` : '') +
    ` EXECUTE FUNCTION ${qualified(tr.function.schema, tr.function.name)}(${(tr.args ?? []).map(literal).join(', ')})`
  );
}

const MODE: Record<TriggerEnabled, string> = {
  origin: 'ENABLE TRIGGER',
  always: 'ENABLE ALWAYS TRIGGER',
  replica: 'ENABLE REPLICA TRIGGER',
  disabled: 'DISABLE TRIGGER',
};

export function enableTrigger(schema: string, table: string, name: string, mode: TriggerEnabled): string {
  return alterTable(schema, table, `${MODE[mode]} ${ident(name)}`);
}

export function dropTrigger(schema: string, table: string, name: string): string {
  return `DROP TRIGGER ${ident(name)} ON ${qualified(schema, table)}`;
}

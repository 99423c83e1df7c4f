// Triggers: the recipes' sync triggers (ENABLE ALWAYS, so rows applied by logical replication fire them too).
import type { Trigger, TriggerEnabled } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { InvalidModelError } from '../../errors.js';
import { alterTable } from './common.js';

/**
 * Created in the default mode (`origin`); set any other mode with enableTrigger. `orReplace` (PostgreSQL 14+)
 * swaps the definition of a trigger of the same name in one statement, and resets its mode to `origin` too.
 */
export function createTrigger(schema: string, table: string, tr: Trigger, o: { orReplace?: boolean } = {}): string {
  if (tr.events.length === 0)
    throw new InvalidModelError(`trigger ${ident(tr.name)}`, 'a trigger needs at least one event');
  return (
    `CREATE ${o.orReplace ? 'OR REPLACE ' : ''}TRIGGER ${ident(tr.name)} ${tr.timing.toUpperCase()} ${tr.events.map((e) => e.toUpperCase()).join(' OR ')}` +
    ` ON ${qualified(schema, table)} FOR EACH ${tr.forEach.toUpperCase()}` +
    (tr.when !== undefined ? ` WHEN (${tr.when})` : '') +
    ` EXECUTE FUNCTION ${qualified(tr.function.schema, tr.function.name)}()`
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

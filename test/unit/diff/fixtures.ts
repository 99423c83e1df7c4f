// Small builders for model fragments: every test states only what matters to it.
import type {
  Check,
  Column,
  DatabaseSchema,
  Enum,
  ForeignKey,
  Function,
  Index,
  PrimaryKey,
  Schema,
  Sequence,
  Table,
  Trigger,
  UniqueConstraint,
} from '../../../src/schema/model/model.js';
import { emptySchema, emptyTable } from '../../../src/schema/model/model.js';

export const col = (name: string, type = 'integer', extra: Partial<Column> = {}): Column => ({
  kind: 'column',
  name,
  type,
  nullable: true,
  ...extra,
});
export const notNull = (name: string, type = 'integer', extra: Partial<Column> = {}): Column =>
  col(name, type, { nullable: false, ...extra });
export const table = (name: string, columns: readonly Column[], extra: Partial<Table> = {}): Table => ({
  ...emptyTable(name, columns),
  ...extra,
});
export const schema = (name: string, extra: Partial<Schema> = {}): Schema => ({ ...emptySchema(name), ...extra });
export const db = (...schemas: Schema[]): DatabaseSchema => ({ schemas });
/** A database with one schema `app` holding these tables. */
export const app = (...tables: Table[]): DatabaseSchema => db(schema('app', { tables }));

export const pk = (name: string, columns: string[]): PrimaryKey => ({ kind: 'primary_key', name, columns });
export const uq = (name: string, columns: string[], extra: Partial<UniqueConstraint> = {}): UniqueConstraint => ({
  kind: 'unique',
  name,
  columns,
  ...extra,
});
export const check = (name: string, expression: string, extra: Partial<Check> = {}): Check => ({
  kind: 'check',
  name,
  expression,
  ...extra,
});
export const idx = (name: string, columns: string[], extra: Partial<Index> = {}): Index => ({
  kind: 'index',
  name,
  unique: false,
  method: 'btree',
  keys: columns.map((column) => ({ column })),
  ...extra,
});
export const fk = (
  name: string,
  columns: string[],
  refTable: string,
  refColumns: string[],
  extra: Partial<ForeignKey> = {},
): ForeignKey => ({
  kind: 'foreign_key',
  name,
  columns,
  references: { schema: 'app', table: refTable, columns: refColumns },
  onDelete: 'no action',
  onUpdate: 'no action',
  match: 'simple',
  deferrable: false,
  initiallyDeferred: false,
  ...extra,
});
export const trigger = (name: string, extra: Partial<Trigger> = {}): Trigger => ({
  kind: 'trigger',
  name,
  timing: 'before',
  events: ['insert', 'update'],
  forEach: 'row',
  function: { schema: 'app', name: 'touch' },
  enabled: 'origin',
  ...extra,
});
export const enumType = (name: string, values: string[], extra: Partial<Enum> = {}): Enum => ({
  kind: 'enum',
  name,
  values,
  ...extra,
});
export const sequence = (name: string, extra: Partial<Sequence> = {}): Sequence => ({
  kind: 'sequence',
  name,
  type: 'bigint',
  start: '1',
  increment: '1',
  min: '1',
  max: '9223372036854775807',
  cache: '1',
  cycle: false,
  ...extra,
});
export const fn = (name: string, args = '', body = 'BEGIN RETURN NEW; END'): Function => ({
  kind: 'function',
  name,
  args,
  definition: `CREATE OR REPLACE FUNCTION app.${name}(${args})\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$${body}$function$\n`,
});

export const users = table(
  'users',
  [notNull('id', 'bigint', { identity: 'always' }), notNull('email', 'text'), col('name', 'text')],
  {
    primaryKey: pk('users_pkey', ['id']),
    unique: [uq('users_email_key', ['email'])],
  },
);

/** A schema using every kind of object, for the whole-model properties. */
export function shop(): DatabaseSchema {
  const orders = table(
    'orders',
    [
      notNull('id', 'bigint', { default: "nextval('app.orders_id_seq'::regclass)" }),
      notNull('user_id', 'bigint'),
      notNull('status', 'app.status', { default: "'new'::app.status", comment: 'lifecycle' }),
      col('total', 'numeric(12,2)'),
      col('code', 'text', { collation: '"C"' }),
      col('total_cents', 'bigint', { generated: '(total * (100)::numeric)' }),
    ],
    {
      primaryKey: pk('orders_pkey', ['id']),
      foreignKeys: [fk('orders_user_id_fkey', ['user_id'], 'users', ['id'], { onDelete: 'cascade' })],
      checks: [check('orders_total_check', '(total >= (0)::numeric)')],
      indexes: [
        idx('orders_user_id_idx', ['user_id'], { include: ['status'], where: "(status <> 'done'::app.status)" }),
      ],
      triggers: [trigger('orders_touch', { when: '(new.total IS DISTINCT FROM old.total)' })],
      comment: 'one row per order',
    },
  );
  const audit = table('audit', [notNull('at', 'timestamp with time zone', { default: 'now()' })]);
  return db(
    schema('app', {
      comment: 'application',
      enums: [enumType('status', ['new', 'paid', 'done'], { comment: 'order state' })],
      sequences: [sequence('orders_id_seq', { ownedBy: { table: 'orders', column: 'id' } })],
      functions: [fn('touch'), fn('total', 'o app.orders', 'SELECT 1')],
      tables: [users, orders],
    }),
    schema('log', { tables: [audit] }),
  );
}

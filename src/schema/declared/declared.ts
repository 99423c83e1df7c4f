// The declared schema file, as zod sees it: structure only. Defaults, cross references and PostgreSQL's rules
// are applied afterwards (checks-*.ts, to-model.ts), where every problem can name the objects involved.
// Defaults are documented in `meta` rather than applied with `.default()`, so the JSON Schema shows the input
// shape editors should offer and toYaml can omit them.
import { z } from 'zod';

/**
 * Text fields that YAML may spell as a number or boolean (`default: 0`, `start: 1000`): the parser keeps
 * their source spelling as text, and the JSON Schema lets editors accept them.
 */
const writtenAsScalar = new WeakMap<object, readonly string[]>();
function scalarText<T extends z.ZodType>(schema: T, types: readonly string[]): T {
  writtenAsScalar.set(schema, types);
  return schema;
}

/**
 * Text PostgreSQL stores as given in its catalog: names, enum labels, comments, collation and operator class
 * names. Control characters there can only come from a damaged file or a mistyped escape, so hygiene.ts
 * refuses them; SQL fields may hold any whitespace a query allows.
 */
const catalogTexts = new WeakSet<object>();
function catalogText<T extends z.ZodType>(schema: T): T {
  catalogTexts.add(schema);
  return schema;
}
/** Whether a string schema (already unwrapped) holds catalog text. */
export const isCatalogText = (schema: z.ZodType): boolean => catalogTexts.has(schema);
const text = () => catalogText(z.string());

const name = (description: string) => catalogText(z.string().meta({ description }));
/** User-supplied raw SQL: never quoted or rewritten by switchyard, only trimmed. */
const sql = (description: string) =>
  scalarText(
    z
      .string()
      .refine((s) => s.trim() !== '', 'must not be empty')
      .meta({ description: `${description} (raw SQL)` }),
    ['string', 'number', 'boolean'],
  );
const names = (description: string) => z.array(text()).min(1).meta({ description });
const flag = (description: string, dflt = false) => z.boolean().optional().meta({ description, default: dflt });
const integer = (description: string) =>
  scalarText(z.string().regex(/^[+-]?\d+$/, 'must be a whole number'), ['integer', 'string'])
    .optional()
    .meta({ description });

export const FK_ACTIONS = ['no action', 'restrict', 'cascade', 'set null', 'set default'] as const;
export const INDEX_METHODS = ['btree', 'hash', 'gin', 'gist', 'brin', 'spgist'] as const;

export const PRIVILEGES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'TRUNCATE',
  'REFERENCES',
  'TRIGGER',
  'MAINTAIN',
  'USAGE',
  'CREATE',
  'EXECUTE',
] as const;

const privilegeList = () =>
  z.array(z.enum(PRIVILEGES)).min(1).meta({ description: 'Privileges as GRANT spells them, e.g. `[SELECT, INSERT]`' });

const grantDecl = z
  .strictObject({
    role: name('The role granted to (a role name as the catalog stores it), or `PUBLIC`'),
    privileges: privilegeList(),
    withGrantOption: flag('WITH GRANT OPTION: the role may grant them on'),
    columns: names(
      'Only on these columns (tables and views; SELECT, INSERT, UPDATE, REFERENCES): GRANT SELECT (a, b) ON ...',
    ).optional(),
  })
  .meta({
    title: 'Grant',
    description:
      "Privileges granted to a role beyond the object's defaults (its owner's own privileges, PUBLIC's EXECUTE on functions and USAGE on types)",
  });

const grants = () =>
  z
    .array(grantDecl)
    .optional()
    .meta({ description: 'GRANTs on this object; absent or empty: none beyond the defaults' });

export const DEFAULT_PRIVILEGE_OBJECTS = ['tables', 'sequences', 'functions', 'types', 'schemas'] as const;

const defaultPrivilegeDecl = z
  .strictObject({
    forRole: name('FOR ROLE: the role whose future objects get the privileges'),
    schema: name('IN SCHEMA: only objects created in this schema; absent for every schema').optional(),
    on: z.enum(DEFAULT_PRIVILEGE_OBJECTS).meta({ description: 'ON TABLES, SEQUENCES, FUNCTIONS, TYPES or SCHEMAS' }),
    role: name('The role granted to, or `PUBLIC`'),
    privileges: privilegeList(),
    withGrantOption: flag('WITH GRANT OPTION'),
  })
  .meta({
    title: 'Default privileges',
    description:
      'ALTER DEFAULT PRIVILEGES FOR ROLE <forRole> [IN SCHEMA <schema>] GRANT <privileges> ON <on> TO <role>',
  });

export const columnDecl = z
  .strictObject({
    type: z.string().meta({
      description:
        'PostgreSQL type, e.g. `bigint`, `text`, `numeric(12,2)`, `timestamptz`, an enum name; aliases are normalized',
    }),
    nullable: flag('Whether NULL is allowed. Default true; primary key and identity columns are NOT NULL', true),
    default: sql('Default value expression, e.g. `now()`').optional(),
    identity: z
      .enum(['always', 'by default'])
      .optional()
      .meta({ description: 'GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY (integer types only)' }),
    generated: sql('Expression of a GENERATED ALWAYS AS (...) STORED column').optional(),
    collation: text().optional().meta({ description: 'Collation name, e.g. `C`, when not the default' }),
    comment: text().optional(),
    renamedFrom: name('Change hint: the column used to be called this').optional(),
    up: sql('Change hint: computes the new value from the old row, e.g. `salary::numeric(12,2)`').optional(),
    down: sql('Change hint: computes the old value from the new row; requires `up`').optional(),
    backfill: sql('Change hint: fills existing rows of a NOT NULL column').optional(),
  })
  .meta({ title: 'Column', description: 'A column; the order of keys under `columns` is the column order' });

const primaryKeyDecl = z
  .strictObject({
    name: name('Constraint name; default `<table>_pkey`').optional(),
    columns: names('Key columns, in order'),
    comment: text().optional(),
  })
  .meta({ title: 'Primary key' });

const uniqueDecl = z
  .strictObject({
    columns: names('Key columns, in order'),
    nullsNotDistinct: flag('NULLS NOT DISTINCT (PostgreSQL 15+)'),
    deferrable: flag('DEFERRABLE'),
    initiallyDeferred: flag('INITIALLY DEFERRED (requires deferrable)'),
    comment: text().optional(),
  })
  .meta({
    title: 'Unique constraint',
    description: 'The key is the constraint name (PostgreSQL default `<table>_<columns>_key`)',
  });

const indexKeyDecl = z
  .strictObject({
    column: name('Indexed column (or give `expression`)').optional(),
    expression: sql('Indexed expression (or give `column`)').optional(),
    order: z.enum(['asc', 'desc']).optional().meta({ default: 'asc' }),
    nulls: z.enum(['first', 'last']).optional().meta({ description: 'Default: last for asc, first for desc' }),
    opclass: text().optional().meta({ description: 'Operator class, e.g. `text_pattern_ops`' }),
    collation: text().optional(),
  })
  .meta({ title: 'Index key' });

const indexDecl = z
  .strictObject({
    columns: names('Plain column keys (exactly one of columns, expressions, keys)').optional(),
    expressions: z
      .array(sql('Index expression'))
      .min(1)
      .optional()
      .meta({ description: 'Expression keys, e.g. `lower(email)`' }),
    keys: z
      .array(indexKeyDecl)
      .min(1)
      .optional()
      .meta({ description: 'Keys with options (order, nulls, opclass, collation)' }),
    method: z.enum(INDEX_METHODS).optional().meta({ description: 'Access method', default: 'btree' }),
    unique: flag('UNIQUE index'),
    include: names('INCLUDE columns (btree, gist, spgist)').optional(),
    where: sql('Partial index predicate').optional(),
    nullsNotDistinct: flag('NULLS NOT DISTINCT (unique indexes, PostgreSQL 15+)'),
    invalid: flag('Written by introspection: a failed concurrent build left the index invalid'),
    comment: text().optional(),
  })
  .meta({ title: 'Index', description: 'The key is the index name (PostgreSQL default `<table>_<columns>_idx`)' });

const action = (what: string) => z.enum(FK_ACTIONS).optional().meta({ description: what, default: 'no action' });

const foreignKeyDecl = z
  .strictObject({
    columns: names('Referencing columns'),
    references: z
      .strictObject({
        schema: name("Referenced table's schema; default: this table's schema").optional(),
        table: name('Referenced table'),
        columns: names("Referenced columns; default: the referenced table's primary key").optional(),
      })
      .meta({ title: 'Referenced table' }),
    onDelete: action('ON DELETE action'),
    onUpdate: action('ON UPDATE action'),
    match: z.enum(['simple', 'full']).optional().meta({ default: 'simple' }),
    deferrable: flag('DEFERRABLE'),
    initiallyDeferred: flag('INITIALLY DEFERRED (requires deferrable)'),
    notValid: flag('Written by introspection: added NOT VALID, not yet validated'),
    comment: text().optional(),
  })
  .meta({
    title: 'Foreign key',
    description: 'The key is the constraint name (PostgreSQL default `<table>_<columns>_fkey`)',
  });

const checkDecl = z
  .strictObject({
    expression: sql('Boolean expression, without CHECK ( )'),
    noInherit: flag('NO INHERIT'),
    notValid: flag('Written by introspection: added NOT VALID, not yet validated'),
    comment: text().optional(),
  })
  .meta({
    title: 'Check constraint',
    description: 'The key is the constraint name (PostgreSQL default `<table>_<column>_check`)',
  });

const triggerDecl = z
  .strictObject({
    timing: z.enum(['before', 'after', 'instead of']),
    events: z.array(z.enum(['insert', 'update', 'delete', 'truncate'])).min(1),
    forEach: z.enum(['row', 'statement']).optional().meta({ default: 'statement' }),
    function: z.strictObject({
      schema: name("Default: this table's schema").optional(),
      name: name('Trigger function'),
    }),
    when: sql('WHEN condition').optional(),
    enabled: z.enum(['origin', 'always', 'replica', 'disabled']).optional().meta({ default: 'origin' }),
    args: z
      .array(scalarText(z.string(), ['string', 'number', 'boolean']))
      .optional()
      .meta({ description: 'Arguments passed to the function (TG_ARGV), as text' }),
    columns: names('UPDATE OF columns (the trigger fires only when one of them is updated)').optional(),
    oldTable: name('REFERENCING OLD TABLE AS this name (AFTER triggers)').optional(),
    newTable: name('REFERENCING NEW TABLE AS this name (AFTER triggers)').optional(),
    constraint: flag('CREATE CONSTRAINT TRIGGER (AFTER, FOR EACH ROW)'),
    deferrable: flag('DEFERRABLE (constraint triggers)'),
    initiallyDeferred: flag('INITIALLY DEFERRED (requires deferrable)'),
    comment: text().optional(),
  })
  .meta({ title: 'Trigger' });

export const POLICY_COMMANDS = ['all', 'select', 'insert', 'update', 'delete'] as const;

const policyDecl = z
  .strictObject({
    command: z
      .enum(POLICY_COMMANDS)
      .optional()
      .meta({ description: 'FOR ALL / SELECT / INSERT / UPDATE / DELETE', default: 'all' }),
    restrictive: flag('AS RESTRICTIVE (default PERMISSIVE)'),
    roles: names('TO these roles (`public` for PUBLIC); roles must exist on the server')
      .optional()
      .meta({ default: ['public'] }),
    using: sql('USING expression: which existing rows are visible or affected').optional(),
    withCheck: sql('WITH CHECK expression: which new rows may be written').optional(),
    comment: text().optional(),
  })
  .meta({ title: 'Policy', description: 'The key is the policy name' });

const replicaIdentityDecl = z
  .union([
    z.enum(['default', 'full', 'nothing']),
    z.strictObject({ index: name('A unique, non-partial index on NOT NULL columns of this table') }),
  ])
  .meta({
    title: 'Replica identity',
    description: 'REPLICA IDENTITY DEFAULT (the primary key), FULL, NOTHING, or `{ index: name }` for USING INDEX',
  });

export const tableDecl = z
  .strictObject({
    renamedFrom: name('Change hint: the table used to be called this').optional(),
    comment: text().optional(),
    columns: z.record(z.string(), columnDecl).meta({ description: 'Column name -> column, in CREATE TABLE order' }),
    primaryKey: primaryKeyDecl.optional(),
    unique: z.record(z.string(), uniqueDecl).optional().meta({ description: 'Constraint name -> unique constraint' }),
    indexes: z.record(z.string(), indexDecl).optional().meta({ description: 'Index name -> index' }),
    foreignKeys: z
      .record(z.string(), foreignKeyDecl)
      .optional()
      .meta({ description: 'Constraint name -> foreign key' }),
    checks: z.record(z.string(), checkDecl).optional().meta({ description: 'Constraint name -> check constraint' }),
    triggers: z.record(z.string(), triggerDecl).optional().meta({ description: 'Trigger name -> trigger' }),
    storage: z
      .record(
        z.string(),
        scalarText(z.string().regex(/^[A-Za-z0-9_.+-]+$/, 'a number, a boolean or a word (on, off, true, 0.2, 70)'), [
          'string',
          'number',
          'boolean',
        ]),
      )
      .superRefine((params, ctx) => {
        for (const k of Object.keys(params))
          if (!/^(toast\.)?[a-z][a-z0-9_]*$/.test(k))
            ctx.addIssue({
              code: 'custom',
              path: [k],
              message:
                'a storage parameter: lower-case letters, digits and _, optionally after `toast.` (fillfactor, autovacuum_enabled, toast.autovacuum_enabled)',
            });
      })
      .optional()
      .meta({
        description:
          'Storage parameters: name -> value, e.g. `{ fillfactor: 70, autovacuum_vacuum_scale_factor: 0.01, toast.autovacuum_enabled: false }`',
      }),
    grants: grants(),
    exclusions: z
      .record(
        z.string(),
        z
          .strictObject({
            definition: sql(
              'The constraint as written after ADD CONSTRAINT name, e.g. `EXCLUDE USING gist (room WITH =, during WITH &&)`',
            ),
            comment: text().optional(),
          })
          .meta({ title: 'Exclusion constraint' }),
      )
      .optional()
      .meta({ description: 'Constraint name -> exclusion constraint' }),
    rowSecurity: flag('ENABLE ROW LEVEL SECURITY'),
    forceRowSecurity: flag('FORCE ROW LEVEL SECURITY: the owner is subject to the policies too'),
    policies: z
      .record(z.string(), policyDecl)
      .optional()
      .meta({ description: 'Policy name -> row-level security policy' }),
    replicaIdentity: replicaIdentityDecl.optional().meta({ default: 'default' }),
    unlogged: flag('CREATE UNLOGGED TABLE: not WAL-logged, emptied after a crash, never replicated'),
  })
  .meta({ title: 'Table' });

const enumDecl = z
  .union([
    z.array(text()).meta({ description: 'Enum labels, in sort order' }),
    z.strictObject({
      values: z.array(text()).meta({ description: 'Enum labels, in sort order' }),
      comment: text().optional(),
      grants: grants(),
    }),
  ])
  .meta({ title: 'Enum', description: 'A list of labels, or `{ values: [...], comment, grants }`' });

const sequenceDecl = z
  .strictObject({
    type: z.string().optional().meta({ description: 'smallint, integer or bigint', default: 'bigint' }),
    start: integer('Default: min (ascending) or max (descending)'),
    increment: integer('Default 1'),
    min: integer('Default 1 (ascending) or the type minimum'),
    max: integer('Default: the type maximum (ascending) or -1'),
    cache: integer('Default 1'),
    cycle: flag('CYCLE'),
    ownedBy: z.strictObject({ table: name('Owning table'), column: name('Owning column') }).optional(),
    comment: text().optional(),
    grants: grants(),
  })
  .meta({ title: 'Sequence' });

const functionDecl = z
  .strictObject({
    name: name('Function name'),
    args: z
      .string()
      .optional()
      .meta({ description: 'Identity arguments as pg_get_function_identity_arguments prints them', default: '' }),
    definition: z.string().min(1).meta({ description: 'The complete CREATE OR REPLACE FUNCTION statement' }),
    comment: text().optional(),
    grants: grants(),
  })
  .meta({ title: 'Function' });

const viewDecl = z
  .strictObject({
    definition: sql('The query: exactly one SELECT, without a trailing semicolon'),
    materialized: flag('A materialized view'),
    securityInvoker: flag('security_invoker (views only, PostgreSQL 15+): check permissions as the querying role'),
    securityBarrier: flag('security_barrier (views only)'),
    checkOption: z
      .enum(['local', 'cascaded'])
      .optional()
      .meta({ description: 'WITH LOCAL / CASCADED CHECK OPTION (views only)' }),
    indexes: z
      .record(z.string(), indexDecl)
      .optional()
      .meta({ description: 'Index name -> index (materialized views only)' }),
    columns: z
      .record(z.string(), z.strictObject({ comment: text() }).meta({ title: 'View column' }))
      .optional()
      .meta({ description: 'Output column name -> its comment' }),
    comment: text().optional(),
    grants: grants(),
  })
  .meta({ title: 'View', description: 'The key is the view name' });

const domainDecl = z
  .strictObject({
    type: z.string().meta({ description: 'Base type, e.g. `text`, `numeric(12,2)`' }),
    default: sql('Default value expression').optional(),
    notNull: flag('NOT NULL'),
    collation: text().optional().meta({ description: 'Collation name, when not the base type default' }),
    checks: z
      .record(
        z.string(),
        z
          .strictObject({
            expression: sql('Boolean expression on VALUE, without CHECK ( )'),
            notValid: flag('Written by introspection: added NOT VALID, not yet validated'),
          })
          .meta({ title: 'Domain check' }),
      )
      .optional()
      .meta({ description: 'Constraint name -> check' }),
    comment: text().optional(),
  })
  .meta({ title: 'Domain', description: 'The key is the domain name' });

const compositeDecl = z
  .strictObject({
    attributes: z
      .record(
        z.string(),
        z
          .strictObject({
            type: z.string(),
            collation: text().optional(),
            renamedFrom: name('Change hint: the attribute used to be called this').optional(),
          })
          .meta({ title: 'Composite attribute' }),
      )
      .meta({ description: 'Attribute name -> attribute, in definition order' }),
    comment: text().optional(),
  })
  .meta({ title: 'Composite type', description: 'The key is the type name' });

const rangeDecl = z
  .strictObject({
    subtype: z.string().meta({ description: 'Element type, e.g. `numeric`' }),
    subtypeOpclass: text()
      .optional()
      .meta({ description: 'Btree operator class of the subtype, when not the default' }),
    collation: text().optional(),
    canonical: text().optional().meta({ description: 'Qualified canonical function' }),
    subtypeDiff: text().optional().meta({ description: 'Qualified subtype_diff function, e.g. `pg_catalog.float8mi`' }),
    multirange: name('Name of the multirange type, when not the derived one').optional(),
    comment: text().optional(),
  })
  .meta({ title: 'Range type', description: 'The key is the type name' });

export const schemaDecl = z
  .strictObject({
    comment: text().optional(),
    enums: z.record(z.string(), enumDecl).optional().meta({ description: 'Enum type name -> labels' }),
    sequences: z.record(z.string(), sequenceDecl).optional().meta({ description: 'Sequence name -> sequence' }),
    tables: z.record(z.string(), tableDecl).optional().meta({ description: 'Table name -> table' }),
    functions: z.array(functionDecl).optional().meta({ description: 'Functions (usually written by introspection)' }),
    views: z.record(z.string(), viewDecl).optional().meta({ description: 'View name -> view or materialized view' }),
    grants: grants(),
    domains: z.record(z.string(), domainDecl).optional().meta({ description: 'Domain name -> domain' }),
    composites: z.record(z.string(), compositeDecl).optional().meta({ description: 'Type name -> composite type' }),
    ranges: z.record(z.string(), rangeDecl).optional().meta({ description: 'Type name -> range type' }),
  })
  .meta({ title: 'Schema' });

const objectRefDecl = z
  .strictObject({
    schema: name('A schema, e.g. `app`').optional(),
    type: name('A type (enum, domain...), e.g. `public.mood`').optional(),
    sequence: name('A sequence, e.g. `public.orders_id_seq`').optional(),
    function: name('A function with its identity arguments, e.g. `public.touch(integer, text)`').optional(),
    table: name('A table, e.g. `public.users`').optional(),
    column: name('A column, e.g. `public.users.email`').optional(),
    index: name('An index, e.g. `public.users_email_idx`').optional(),
    constraint: name('A constraint, e.g. `public.users.users_email_key`').optional(),
    trigger: name('A trigger, e.g. `public.users.users_touch`').optional(),
  })
  .meta({
    title: 'Object',
    description:
      'Exactly one kind and its qualified name (quote a part with double quotes when it holds a dot), e.g. `table: public.users`',
  });

const sqlStepDecl = z
  .strictObject({
    phase: z.enum(['expand', 'backfill', 'contract']).meta({ description: 'The phase the step runs in' }),
    releaseOffset: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .meta({ description: '0: the first release of the plan, 1: the next (after a deploy)...', default: 0 }),
    sql: sql(
      'The statements to run, separated by semicolons; each becomes its own step, run and recorded one at a time',
    ),
    rollbackSql: z
      .union([
        sql('Statements undoing `sql`; required unless `irreversible: true`'),
        z.array(sql('Statements undoing the statement of `sql` at the same position')).min(1),
      ])
      .optional()
      .meta({
        description:
          'Undoes `sql`: one text when `sql` is one statement, else a list with one entry per statement of `sql`, in order',
      }),
    irreversible: flag(
      'The step has no rollback: rolling back its phase leaves its effect in place (hazard IRREVERSIBLE)',
    ),
    creates: z
      .array(objectRefDecl)
      .optional()
      .meta({ description: 'Objects the step brings into existence, for ordering: steps requiring them run after it' }),
    requires: z
      .array(objectRefDecl)
      .optional()
      .meta({ description: 'Objects the step needs: it runs after the steps that create them' }),
  })
  .meta({
    title: 'Raw SQL step',
    description:
      'SQL for what the model cannot express (policies, statistics objects, data fixes): run once, recorded in the ledger, flagged USER_SQL',
  });

const extensionDecl = z
  .strictObject({
    schema: name('The schema its objects go in').optional().meta({ default: 'public' }),
    version: scalarText(z.string().min(1), ['string', 'number']).optional().meta({
      description:
        "A version to pin (as pg_available_extension_versions lists it): a different installed one is updated (ALTER EXTENSION ... UPDATE, hazard IRREVERSIBLE); absent, any installed version is fine and a new one gets the server's default",
    }),
  })
  .meta({ title: 'Extension' });

export const declaredFile = z
  .strictObject({
    extensions: z.record(z.string(), extensionDecl).optional().meta({
      description:
        'Extension name -> extension. Present, the plan creates, updates and drops extensions to match it (plpgsql, in every database, is left alone); absent, extensions are left as they are',
    }),
    schemas: z.record(z.string(), schemaDecl).meta({ description: 'Schema name -> schema' }),
    tenants: z
      .strictObject({
        registry: sql(
          'Query returning the tenant schema names, e.g. `SELECT schema_name FROM central.tenants WHERE active`',
        ),
        template: name('The entry under `schemas` that describes every tenant schema'),
        register: sql(
          'Statement `switchyard tenants add` runs to register a new tenant, $1 being its schema name, e.g. `INSERT INTO central.tenants (schema_name, active) VALUES ($1, true)`',
        ).optional(),
      })
      .optional()
      .meta({ title: 'Tenants', description: 'One template schema applied to every schema the registry lists' }),
    sql: z
      .record(z.string(), sqlStepDecl)
      .optional()
      .meta({ description: 'Step name -> raw SQL step, for what the model cannot express' }),
    defaultPrivileges: z
      .array(defaultPrivilegeDecl)
      .optional()
      .meta({ description: 'ALTER DEFAULT PRIVILEGES entries: what objects created later get' }),
  })
  .meta({
    title: 'switchyard declared schema',
    description: 'The PostgreSQL schema the application should have; `switchyard plan` moves the database there.',
  });

export type DeclaredFile = z.output<typeof declaredFile>;
export type SchemaDecl = z.output<typeof schemaDecl>;
export type TableDecl = z.output<typeof tableDecl>;
export type ColumnDecl = z.output<typeof columnDecl>;
export type IndexDecl = NonNullable<TableDecl['indexes']>[string];
export type ForeignKeyDecl = NonNullable<TableDecl['foreignKeys']>[string];
export type SequenceDecl = NonNullable<SchemaDecl['sequences']>[string];
export type EnumDecl = NonNullable<SchemaDecl['enums']>[string];
export type SqlStepDecl = z.output<typeof sqlStepDecl>;
export type ObjectRefDecl = z.output<typeof objectRefDecl>;
export type ViewDecl = NonNullable<SchemaDecl['views']>[string];
export type ExtensionDecl = NonNullable<DeclaredFile['extensions']>[string];
export type GrantDecl = z.output<typeof grantDecl>;
export type DefaultPrivilegeDecl = z.output<typeof defaultPrivilegeDecl>;
export type DomainDecl = NonNullable<SchemaDecl['domains']>[string];
export type CompositeDecl = NonNullable<SchemaDecl['composites']>[string];
export type RangeDecl = NonNullable<SchemaDecl['ranges']>[string];
export type PolicyDecl = NonNullable<TableDecl['policies']>[string];

/** JSON Schema of the declared file, for editors (checked in as schema/switchyard.schema.json). */
export function jsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(declaredFile, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const types = writtenAsScalar.get(zodSchema);
      if (types) jsonSchema.type = [...types] as typeof jsonSchema.type;
    },
  }) as Record<string, unknown>;
}

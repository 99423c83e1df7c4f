// Schema-level objects: enum labels, sequence bounds and owners, functions, triggers, and the tenants section.
import { identifierBytes, MAX_IDENTIFIER_BYTES } from '../../db/quote.js';
import { Catalog, entries, reporter, tablePath, type CheckContext } from './catalog.js';
import type { SchemaDecl, SequenceDecl } from './declared.js';
import { subject } from './describe.js';
import { finding, type Report } from './finding.js';
import { closest, q, qq } from '../model/names.js';
import { sequenceBounds } from '../model/sequence.js';
import { classifyType, isIntegerType } from '../model/types.js';
import type { Path } from './zod-walk.js';

function checkEnums(report: Report, schema: SchemaDecl, sp: Path): void {
  for (const [e, decl] of entries(schema.enums)) {
    const ep: Path = [...sp, 'enums', e];
    const values = Array.isArray(decl) ? decl : decl.values;
    const vp: Path = Array.isArray(decl) ? ep : [...ep, 'values'];
    // An enum without labels is legal (CREATE TYPE e AS ENUM ()), and introspection produces it.
    const seen = new Set<string>();
    values.forEach((v, i) => {
      const bytes = identifierBytes(v);
      if (seen.has(v))
        report(finding([...vp, i], 'value', `${subject(ep)} lists the label ${q(v)} twice`, 'list each label once'));
      if (bytes > MAX_IDENTIFIER_BYTES)
        report(
          finding(
            [...vp, i],
            'value',
            `${subject(ep)}: the label ${q(v)} is ${bytes} bytes long; PostgreSQL allows ${MAX_IDENTIFIER_BYTES}`,
            `shorten it to at most ${MAX_IDENTIFIER_BYTES} bytes (UTF-8)`,
          ),
        );
      seen.add(v);
    });
  }
}

function checkSequence(report: Report, catalog: Catalog, s: string, seq: SequenceDecl, qp: Path): void {
  if (seq.ownedBy) {
    const { table, column } = seq.ownedBy;
    const state =
      catalog.table(s, table) === undefined
        ? 'missing table'
        : catalog.column(s, table, column) === 'missing'
          ? 'missing column'
          : undefined;
    if (state === 'missing table')
      report(
        finding(
          [...qp, 'ownedBy', 'table'],
          'value',
          `${subject(qp)} is owned by table ${qq(s, table)}, which is not declared`,
          'declare it, or fix `ownedBy.table`',
        ),
      );
    if (state === 'missing column')
      report(
        finding(
          [...qp, 'ownedBy', 'column'],
          'value',
          `${subject(qp)} is owned by column ${q(column)}, which table ${qq(s, table)} does not declare`,
          'declare it, or fix `ownedBy.column`',
        ),
      );
  }
  const type = seq.type === undefined ? 'bigint' : classifyType(seq.type).canonical;
  if (!isIntegerType(type)) {
    report(
      finding(
        [...qp, 'type'],
        'value',
        `${subject(qp)}: the type must be smallint, integer or bigint, not \`${seq.type}\``,
        'use bigint',
      ),
    );
    return;
  }
  const b = sequenceBounds(type, seq);
  // Point at a bound the file gives, not at one PostgreSQL's defaults filled in.
  const at = (...keys: Array<'start' | 'min' | 'max' | 'increment'>): Path => {
    const given = keys.find((k) => seq[k] !== undefined);
    return given ? [...qp, given] : qp;
  };
  if (b.increment === 0n)
    report(
      finding(
        [...qp, 'increment'],
        'value',
        `${subject(qp)}: the increment cannot be zero`,
        'use 1 (or -1 to count down)',
      ),
    );
  const outOfRange = (['start', 'min', 'max', 'increment', 'cache'] as const).filter((k) => {
    const v = seq[k];
    return v !== undefined && (BigInt(v) < b.typeMin || BigInt(v) > b.typeMax);
  });
  for (const k of outOfRange)
    report(
      finding(
        [...qp, k],
        'value',
        `${subject(qp)}: \`${k}\` ${seq[k]} is out of range for ${type}`,
        `use a value from ${b.typeMin} to ${b.typeMax}`,
      ),
    );
  if (outOfRange.length > 0) return;
  if (b.min > b.max)
    report(
      finding(
        at('max', 'min', 'increment'),
        'value',
        `${subject(qp)}: min ${b.min} is greater than max ${b.max}`,
        'swap them',
      ),
    );
  else if (b.start < b.min || b.start > b.max)
    report(
      finding(
        at('start', 'min', 'max', 'increment'),
        'value',
        `${subject(qp)}: start ${b.start} is outside ${b.min}..${b.max}`,
        'choose a start between min and max',
      ),
    );
  if (seq.cache !== undefined && BigInt(seq.cache) < 1n)
    report(finding([...qp, 'cache'], 'value', `${subject(qp)}: the cache must be at least 1`, 'use 1'));
}

function checkTriggers(report: Report, s: string, schema: SchemaDecl): void {
  for (const [t, table] of entries(schema.tables))
    for (const [g, trig] of entries(table.triggers)) {
      const gp: Path = [...tablePath(s, t), 'triggers', g];
      const forEach = trig.forEach ?? 'statement';
      const seen = new Set<string>();
      trig.events.forEach((e, i) => {
        if (seen.has(e))
          report(
            finding([...gp, 'events', i], 'value', `${subject(gp)} lists the event ${e} twice`, 'list each event once'),
          );
        if (e === 'truncate' && forEach === 'row')
          report(
            finding(
              [...gp, 'events', i],
              'value',
              `${subject(gp)}: truncate triggers fire for each statement, not each row`,
              'use `forEach: statement`, or drop truncate',
            ),
          );
        seen.add(e);
      });
      if (trig.when !== undefined && forEach === 'statement')
        report(
          finding(
            [...gp, 'when'],
            'key',
            `${subject(gp)}: only row triggers can have \`when\``,
            'add `forEach: row`, or remove `when`',
          ),
        );
    }
}

function checkFunctions(report: Report, schema: SchemaDecl, sp: Path): void {
  const seen = new Set<string>();
  (schema.functions ?? []).forEach((f, i) => {
    const key = `${f.name}(${f.args ?? ''})`;
    if (seen.has(key))
      report(
        finding(
          [...sp, 'functions', i, 'name'],
          'value',
          `schema ${q(String(sp[1]))} declares function ${q(f.name)}(${f.args ?? ''}) twice`,
          'keep one of them',
        ),
      );
    seen.add(key);
  });
}

/** Options a materialized view cannot have, and indexes a plain view cannot have. */
function checkViews(report: Report, schema: SchemaDecl, sp: Path): void {
  for (const [v, view] of entries(schema.views)) {
    const vp: Path = [...sp, 'views', v];
    if (view.materialized) {
      for (const option of ['securityInvoker', 'securityBarrier', 'checkOption'] as const)
        if (view[option] !== undefined)
          report(
            finding(
              [...vp, option],
              'key',
              `view ${q(v)}: \`${option}\` is an option of plain views; a materialized view has none`,
              `remove \`${option}\`, or make the view a plain one`,
            ),
          );
    } else if (view.indexes !== undefined) {
      report(
        finding(
          [...vp, 'indexes'],
          'key',
          `view ${q(v)}: only a materialized view has indexes`,
          'add `materialized: true`, or index the tables it reads',
        ),
      );
    }
  }
}

export function checkSchemas(ctx: CheckContext): void {
  const report = reporter(ctx);
  const catalog = new Catalog(ctx);
  for (const [s, schema] of entries(ctx.data.schemas)) {
    const sp: Path = ['schemas', s];
    checkEnums(report, schema, sp);
    for (const [n, seq] of entries(schema.sequences)) checkSequence(report, catalog, s, seq, [...sp, 'sequences', n]);
    checkTriggers(report, s, schema);
    checkFunctions(report, schema, sp);
    checkViews(report, schema, sp);
  }
  const tenants = ctx.data.tenants;
  if (tenants && catalog.schemaState(tenants.template) === 'missing') {
    const near = closest(tenants.template, Object.keys(ctx.data.schemas));
    report(
      finding(
        ['tenants', 'template'],
        'value',
        `\`tenants\`: the template schema ${q(tenants.template)} is not declared under \`schemas\``,
        near ? `did you mean ${q(near)}?` : `declare \`schemas: { ${tenants.template}: ... }\``,
      ),
    );
  }
}

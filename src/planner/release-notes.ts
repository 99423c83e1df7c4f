// Release notes for the application: what each release asks of the application's versions. A plan says it only
// as steps and hazards ("BREAKS_OLD_APP", "drop the retired column"); the notes say it to the people who deploy
// the application: what the version running during a release's expand and backfill must tolerate, what the next
// version may start using (and after which phase), and what must be deployed before the contract runs.
//
// Derived at show time from the plan's steps (their change kinds, actions and object keys) and its source and
// target snapshots, so plan files keep their bytes. Names are quoted with db/quote.ts; nothing here builds SQL.
import { ident, literal, qualified } from '../db/quote.js';
import type { Column, DatabaseSchema, Enum } from '../schema/model/model.js';
import { PHASES, type Phase, type Plan, type Step } from './types.js';

/** One thing a release asks of the application, with the steps it comes from. */
export interface ReleaseNote {
  readonly text: string;
  readonly steps: readonly string[];
}

/** Something the next application version may start using, from the end of a phase on. */
export interface StartNote extends ReleaseNote {
  readonly after: { readonly release: number; readonly phase: Phase };
}

/** An application version that must be running before the release's contract. */
export interface DeployNote extends ReleaseNote {
  /** What the version does, to follow "deploy the version that ...": `reads and writes public.users.full_name ...`. */
  readonly version: string;
}

/** What one release asks of the application. */
export interface ReleaseNotes {
  readonly release: number;
  /** What the version running during this release's expand and backfill must tolerate. */
  readonly tolerate: readonly ReleaseNote[];
  /** What the next version may start using, and after which phase of this release. */
  readonly startUsing: readonly StartNote[];
  /** What must be deployed before this release's contract runs. */
  readonly beforeContract: readonly DeployNote[];
}

const SEP = '\u001f';

/** The parts of an object key (`column:s\x1ft\x1fc` is ['s', 't', 'c']), when it is of that kind. */
function parts(k: string, kind: string): string[] | undefined {
  return k.startsWith(`${kind}:`) ? k.slice(kind.length + 1).split(SEP) : undefined;
}

function keysOf(keys: readonly string[], kind: string): string[][] {
  return keys.flatMap((k) => {
    const p = parts(k, kind);
    return p ? [p] : [];
  });
}

/** A name, type or value as the notes show it: quoted as SQL quotes it, in backticks. */
const q = (x: string) => `\`${x}\``;
const id = (n: string) => q(ident(n));
const qn = (s: string, n: string) => q(qualified(s, n));
const lit = (v: string) => q(literal(v));
const col = (s: string, t: string, c: string) => q(`${qualified(s, t)}.${ident(c)}`);

function findColumn(db: DatabaseSchema, s: string, t: string, c: string): Column | undefined {
  return db.schemas
    .find((x) => x.name === s)
    ?.tables.find((x) => x.name === t)
    ?.columns.find((x) => x.name === c);
}

function findEnum(db: DatabaseSchema, s: string, n: string): Enum | undefined {
  return db.schemas.find((x) => x.name === s)?.enums.find((x) => x.name === n);
}

const ordinal = (r: number, phase: Phase) => `release ${r}'s ${phase}`;

class Notes {
  private readonly byRelease = new Map<
    number,
    { tolerate: ReleaseNote[]; startUsing: StartNote[]; beforeContract: DeployNote[] }
  >();
  constructor(releases: readonly number[]) {
    for (const r of releases) this.byRelease.set(r, { tolerate: [], startUsing: [], beforeContract: [] });
  }
  private at(r: number) {
    const x = this.byRelease.get(r);
    if (!x) throw new Error(`release notes: the plan has no release ${r}`);
    return x;
  }
  tolerate(r: number, text: string, steps: readonly Step[]) {
    this.at(r).tolerate.push({ text, steps: steps.map((s) => s.id) });
  }
  start(r: number, phase: Phase, text: string, steps: readonly Step[]) {
    this.at(r).startUsing.push({ text, after: { release: r, phase }, steps: steps.map((s) => s.id) });
  }
  deploy(r: number, version: string, why: string, steps: readonly Step[]) {
    this.at(r).beforeContract.push({
      text: `deploy the version that ${version}: ${why}`,
      version,
      steps: steps.map((s) => s.id),
    });
  }
  result(): ReleaseNotes[] {
    return [...this.byRelease].map(([release, n]) => ({ release, ...n }));
  }
}

/** The release notes of every release of a plan, in release order (a release asking nothing has empty lists). */
export function releaseNotes(plan: Plan): ReleaseNotes[] {
  const steps = plan.releases.flatMap((r) => PHASES.flatMap((p) => r[p]));
  const notes = new Notes(plan.releases.map((r) => r.number));
  const src = plan.source.snapshot;
  const dst = plan.target.snapshot;
  const covered = new Set<string>();
  const use = (...xs: (Step | undefined)[]) => {
    for (const x of xs) if (x) covered.add(x.id);
    return xs.filter((x): x is Step => x !== undefined);
  };
  const find = (pred: (s: Step) => boolean) => steps.find(pred);
  const needs = (s: Step, k: string) => s.requires.includes(k) || s.creates.includes(k) || s.drops.includes(k);

  for (const s of steps) {
    const r = s.release;
    switch (`${s.change}/${s.action}`) {
      case 'add_table/create_table': {
        const [t] = keysOf(s.creates, 'table');
        if (!t) break;
        notes.start(r, 'expand', `table ${qn(t[0]!, t[1]!)}`, use(s));
        break;
      }
      case 'add_column/add_column': {
        const [c] = keysOf(s.creates, 'column');
        if (!c) break;
        const [sc, t, name] = c as [string, string, string];
        const k = s.creates[0]!;
        const what = col(sc, t, name);
        const target = findColumn(dst, sc, t, name);
        const fill = find((x) => x.action === 'backfill' && x.change === 'add_column' && x.requires.includes(k));
        const trigger = find(
          (x) => x.change === 'add_column' && x.action === 'create_sync_trigger' && x.requires.includes(k),
        );
        const dropTrigger = find(
          (x) => x.change === 'add_column' && x.action === 'drop_sync_trigger' && x.requires.includes(k),
        );
        const notNull = target?.nullable === false;
        const enforced = find(
          (x) =>
            x.change === 'add_column' &&
            (x.action === 'validate_not_null' || x.action === 'set_not_null') &&
            steps.some(
              (y) => y.action === 'add_not_null_not_valid' && y.requires.includes(k) && needs(x, y.creates[0]!),
            ),
        );
        const leaveOut = trigger
          ? `its inserts may leave it out (a trigger fills it until ${ordinal(dropTrigger?.release ?? r + 1, 'contract')})`
          : target?.default !== undefined
            ? `its inserts may leave it out (new rows get the default ${q(target.default)})`
            : 'its inserts may leave it out';
        notes.tolerate(r, `new column ${what}${target ? ` (${q(target.type)})` : ''}: ignore it; ${leaveOut}`, use(s));
        if (fill) {
          notes.start(
            fill.release,
            'backfill',
            `${what}, filled on every row${notNull ? ` (NOT NULL enforced from ${ordinal(enforced?.release ?? r, 'contract')} on)` : ''}`,
            use(fill, enforced),
          );
        } else notes.start(r, 'expand', what, [s]);
        if (trigger && dropTrigger) {
          notes.deploy(
            dropTrigger.release,
            `writes ${what} on every insert`,
            `this contract drops the trigger that fills it when an insert leaves it out`,
            use(trigger, dropTrigger),
          );
        }
        break;
      }
      case 'rename_column/add_shadow_column': {
        const [c] = keysOf(s.creates, 'column');
        const old = keysOf(s.requires, 'column').find((x) => c && x[0] === c[0] && x[1] === c[1] && x[2] !== c[2]);
        if (!c || !old) break;
        const [sc, t, name] = c as [string, string, string];
        const from = old[2]!;
        const k = s.creates[0]!;
        const before = findColumn(src, sc, t, from);
        const after = findColumn(dst, sc, t, name);
        const retyped = before && after && before.type !== after.type ? ` as ${q(after.type)}` : '';
        const fill = find((x) => x.action === 'backfill' && x.change === 'rename_column' && x.requires.includes(k));
        const retire = find((x) => x.action === 'retire_old_column' && x.requires.includes(k));
        const oldKey = `column:${[sc, t, from].join(SEP)}`;
        const drop = find(
          (x) => x.change === 'rename_column' && x.action === 'drop_column' && x.drops.includes(oldKey),
        );
        const until = retire ? ordinal(retire.release, 'contract') : 'the contract that retires it';
        notes.tolerate(
          r,
          `new column ${col(sc, t, name)}${after ? ` (${q(after.type)})` : ''}, which replaces ${id(from)}: a trigger keeps the two in sync until ${until}; keep reading and writing ${id(from)}, ignore ${id(name)}`,
          use(s),
        );
        notes.start(
          fill?.release ?? r,
          fill ? 'backfill' : 'expand',
          `${col(sc, t, name)} instead of ${id(from)}${retyped} (the two stay in sync until ${until})`,
          use(fill),
        );
        if (retire) {
          notes.deploy(
            retire.release,
            `reads and writes ${col(sc, t, name)} instead of ${id(from)}`,
            `this contract stops keeping ${id(from)} in sync${drop ? ` and drops it${drop.release !== retire.release ? ` (${ordinal(drop.release, 'contract')})` : ''}` : ''}`,
            use(retire, drop),
          );
        }
        break;
      }
      case 'alter_column_type/add_shadow_column': {
        const [c] = keysOf(s.creates, 'column');
        const old = keysOf(s.requires, 'column').find((x) => c && x[0] === c[0] && x[1] === c[1] && x[2] !== c[2]);
        if (!c || !old) break;
        const [sc, t, shadow] = c as [string, string, string];
        const name = old[2]!;
        const k = s.creates[0]!;
        const before = findColumn(src, sc, t, name);
        const after = findColumn(dst, sc, t, name);
        const types = before && after ? ` from ${q(before.type)} to ${q(after.type)}` : '';
        const swap = find((x) => x.action === 'swap_columns' && x.requires.includes(k));
        const fill = find((x) => x.action === 'backfill' && x.change === 'alter_column_type' && x.requires.includes(k));
        notes.tolerate(
          r,
          `new column ${col(sc, t, shadow)}${after ? ` (${q(after.type)})` : ''}: a copy of ${id(name)} a trigger keeps in sync; ignore it, and keep reading and writing ${id(name)}${before ? ` as ${q(before.type)}` : ''}`,
          use(s, fill),
        );
        if (swap) {
          notes.deploy(
            swap.release,
            `accepts ${col(sc, t, name)} as ${after ? q(after.type) : 'its new type'}${before ? ` as well as ${q(before.type)}` : ''}`,
            `this contract swaps the columns, and the running application sees ${id(name)} change type${types}`,
            use(swap),
          );
          notes.start(swap.release, 'contract', `${col(sc, t, name)} as ${after ? q(after.type) : 'its new type'}`, [
            swap,
          ]);
        }
        break;
      }
      case 'alter_column_type/alter_column_type': {
        const [c] = keysOf(s.requires, 'column');
        if (!c) break;
        const [sc, t, name] = c as [string, string, string];
        const before = findColumn(src, sc, t, name);
        const after = findColumn(dst, sc, t, name);
        if (!before || !after) break;
        notes.tolerate(
          r,
          `${col(sc, t, name)} changes type from ${q(before.type)} to ${q(after.type)} in place during ${ordinal(r, 'expand')} (no rewrite): it reads the same values`,
          use(s),
        );
        notes.start(r, 'expand', `${col(sc, t, name)} as ${q(after.type)}`, [s]);
        break;
      }
      case 'drop_column/drop_column': {
        const [c] = keysOf(s.drops, 'column');
        if (!c) break;
        notes.deploy(
          r,
          `no longer reads or writes ${col(c[0]!, c[1]!, c[2]!)}`,
          'this contract drops the column and its values',
          use(s),
        );
        break;
      }
      case 'drop_table/drop_table': {
        const [t] = keysOf(s.drops, 'table');
        if (!t) break;
        notes.deploy(
          r,
          `no longer uses table ${qn(t[0]!, t[1]!)}`,
          'this contract drops the table and its rows',
          use(s),
        );
        break;
      }
      case 'rename_table/rename_table': {
        const [to] = keysOf(s.creates, 'table');
        const [from] = keysOf(s.drops, 'table');
        if (!to || !from) break;
        const oldName = qn(from[0]!, from[1]!);
        const newName = qn(to[0]!, to[1]!);
        const view = find(
          (x) => x.action === 'drop_compatibility_view' && x.sql === `DROP VIEW ${qualified(from[0]!, from[1]!)}`,
        );
        const until = view ? ` until ${ordinal(view.release, 'contract')}` : '';
        notes.tolerate(
          r,
          `table ${oldName} is renamed ${newName} during ${ordinal(r, 'expand')}; a view under the old name keeps the running version reading and writing it${until}`,
          use(
            s,
            find(
              (x) =>
                x.action === 'create_compatibility_view' &&
                x.release === r &&
                x.description.startsWith(`create view ${qualified(from[0]!, from[1]!)} `),
            ),
          ),
        );
        notes.start(r, 'expand', `table ${newName} instead of ${oldName}`, [s]);
        if (view) {
          notes.deploy(
            view.release,
            `uses table ${newName} instead of ${oldName}`,
            `this contract drops the compatibility view ${oldName}`,
            use(view),
          );
        }
        break;
      }
      case 'set_not_null/add_not_null_not_valid': {
        const [c] = keysOf(s.requires, 'column');
        if (!c) break;
        const what = col(c[0]!, c[1]!, c[2]!);
        const enforced = find(
          (x) => x.change === 'set_not_null' && x.action === 'validate_not_null' && x.requires.includes(s.creates[0]!),
        );
        notes.tolerate(
          r,
          `${what} refuses NULL from ${ordinal(r, 'expand')} on: the running version must not write NULL into it`,
          use(s),
        );
        if (enforced) notes.start(enforced.release, 'contract', `${what} as NOT NULL`, use(enforced));
        break;
      }
      case 'drop_default/drop_default': {
        const [c] = keysOf(s.requires, 'column');
        if (!c) break;
        const what = col(c[0]!, c[1]!, c[2]!);
        notes.tolerate(
          r,
          s.hazards.includes('BREAKS_OLD_APP')
            ? `${what} loses its default during ${ordinal(r, 'expand')}: every insert must give it a value`
            : `${what} loses its default during ${ordinal(r, 'expand')}: inserts that leave it out store NULL`,
          use(s),
        );
        break;
      }
      case 'add_enum_value/add_enum_value': {
        const [e] = keysOf(s.creates, 'type');
        if (!e) break;
        const before = findEnum(src, e[0]!, e[1]!);
        const after = findEnum(dst, e[0]!, e[1]!);
        const added = after?.values.filter((v) => !before?.values.includes(v)) ?? [];
        const name = qn(e[0]!, e[1]!);
        // One note per enum (one step per added value).
        if (
          steps.some(
            (x) =>
              x.id !== s.id && covered.has(x.id) && x.action === 'add_enum_value' && x.creates.includes(s.creates[0]!),
          )
        ) {
          use(s);
          break;
        }
        const values = added.map(lit).join(', ');
        notes.tolerate(
          r,
          `enum ${name} gains ${values}: the running version may read ${added.length === 1 ? 'it' : 'them'} once the next version writes ${added.length === 1 ? 'it' : 'them'}`,
          use(s),
        );
        notes.start(r, 'expand', `${values} in enum ${name}`, [s]);
        break;
      }
      case 'recreate_enum/drop_old_enum': {
        const [e] = keysOf(s.drops, 'type');
        if (!e) break;
        const before = findEnum(src, e[0]!, e[1]!);
        const after = findEnum(dst, e[0]!, e[1]!);
        const removed = before?.values.filter((v) => !after?.values.includes(v)) ?? [];
        const name = qn(e[0]!, e[1]!);
        if (removed.length) {
          notes.deploy(
            r,
            `no longer writes ${removed.map(lit).join(', ')} (enum ${name})`,
            `this contract removes ${removed.length === 1 ? 'the value' : 'the values'} from the type (it fails if a row still holds one)`,
            use(s),
          );
        } else {
          notes.deploy(
            r,
            `does not rely on the order of enum ${name}'s values`,
            `this contract recreates the type with the values in the order (${after?.values.map(lit).join(', ') ?? ''})`,
            use(s),
          );
        }
        break;
      }
      case 'drop_function/drop_function':
      case 'drop_sequence/drop_sequence':
      case 'drop_enum/drop_enum': {
        const kind = s.change === 'drop_function' ? 'function' : s.change === 'drop_sequence' ? 'sequence' : 'type';
        const [o] = keysOf(s.drops, kind);
        if (!o) break;
        const what = `${kind === 'type' ? 'enum' : kind} ${qn(o[0]!, o[1]!)}`;
        notes.deploy(r, `no longer uses ${what}`, `this contract drops it`, use(s));
        break;
      }
    }
  }
  // Never silent: a step that breaks the running version, or raw SQL nobody generated, is named even when no
  // rule above explains it to the application.
  for (const s of steps) {
    if (covered.has(s.id)) continue;
    if (s.action === 'run_sql') {
      const where = `${ordinal(s.release, s.phase)}`;
      const name = s.sqlStep !== undefined ? q(s.sqlStep) : s.id;
      const text = `raw SQL step ${name} runs in ${where}: switchyard cannot tell what it changes for the application; read its SQL`;
      if (s.phase === 'contract')
        notes.deploy(
          s.release,
          `is ready for raw SQL step ${name}`,
          'this contract runs it, and switchyard cannot tell what it changes for the application; read its SQL',
          [s],
        );
      else notes.tolerate(s.release, text, [s]);
      covered.add(s.id);
      for (const x of steps) if (x.sqlStep !== undefined && x.sqlStep === s.sqlStep) covered.add(x.id);
    } else if (s.hazards.includes('BREAKS_OLD_APP')) {
      if (s.phase === 'contract')
        notes.deploy(s.release, `survives step ${s.id}`, `${s.description} (BREAKS_OLD_APP)`, [s]);
      else notes.tolerate(s.release, `step ${s.id} breaks the previous version: ${s.description}`, [s]);
    }
  }
  return notes.result();
}

/** For a plan with tenants: how to read names in the template schema, which stand for every tenant's schema. */
export function templateNote(plan: Plan): string | undefined {
  const t = plan.target.snapshot.tenants;
  return t ? `names in the template schema ${q(ident(t.template))} stand for every tenant's schema` : undefined;
}

/** The one-line form of a release's deploys, for a `next:` hint: `deploy the version that ..., then: <command>`. */
export function deployHint(n: ReleaseNotes | undefined, command: string): string {
  if (!n?.beforeContract.length) return command;
  return `deploy the version that ${n.beforeContract.map((d) => d.version).join('; and that ')}, then: ${command}`;
}

/** The notes as lines of text, one release after the other (`show`'s terminal view and markdown share them). */
export function noteLines(n: ReleaseNotes): { heading: string; items: string[] }[] {
  return [
    {
      heading: `the version running during release ${n.release}'s expand and backfill must tolerate`,
      items: n.tolerate.map((x) => x.text),
    },
    {
      heading: 'the next version may start using',
      items: n.startUsing.map((x) => `after ${ordinal(x.after.release, x.after.phase)}: ${x.text}`),
    },
    { heading: `before release ${n.release}'s contract`, items: n.beforeContract.map((x) => x.text) },
  ].filter((g) => g.items.length > 0);
}

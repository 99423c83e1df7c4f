// Episodes: an alert fires once when its condition becomes true and sends one recovery message when it is no
// longer true, however many ticks it lasts. Window points fire once and do not recover while the watch runs.
import type { AlertName, Condition, Severity } from './rules.js';

/** What the sinks receive (issue #20): the webhook's JSON body, the command's standard input, the stderr line. */
export interface Notification {
  /** For chat tools that show `text`. */
  readonly text: string;
  readonly alert: AlertName;
  readonly state: 'firing' | 'resolved';
  readonly severity: Severity;
  /** The database the alert is about, password masked. */
  readonly database: string;
  readonly plan: string | null;
  readonly phase: string | null;
  readonly value: number;
  readonly threshold: number;
  /** When the episode began (ISO 8601). */
  readonly since: string;
  /** When this message was made (ISO 8601). */
  readonly at: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

interface Open {
  readonly since: number;
  readonly condition: Condition;
  readonly database: string;
}

export interface Context {
  readonly now: number;
  readonly plan: string | null;
  readonly phase: string | null;
  /** The database of a condition's subject (masked), by the subject or the run's database. */
  readonly databaseOf: (c: Condition) => string;
}

export class Episodes {
  private readonly open = new Map<string, Open>();

  /** The alerts firing now, as `alert:subject`. */
  get firing(): string[] {
    return [...this.open.keys()];
  }

  /** The notifications this tick makes: new episodes fire, ended ones recover. */
  update(conditions: readonly Condition[], ctx: Context): Notification[] {
    const out: Notification[] = [];
    const now = new Set<string>();
    for (const c of conditions) {
      const key = `${c.alert}:${c.subject}`;
      now.add(key);
      if (this.open.has(key)) continue;
      const o = { since: ctx.now, condition: c, database: ctx.databaseOf(c) };
      this.open.set(key, o);
      out.push(notification(o, c, 'firing', ctx));
    }
    for (const [key, o] of this.open) {
      if (now.has(key) || o.condition.sticky) continue;
      this.open.delete(key);
      out.push(notification(o, o.condition, 'resolved', ctx));
    }
    return out;
  }
}

function notification(o: Open, c: Condition, state: 'firing' | 'resolved', ctx: Context): Notification {
  const since = new Date(o.since).toISOString();
  return {
    text:
      state === 'firing'
        ? `[switchyard ${c.severity}] ${c.text}`
        : `[switchyard resolved] ${c.alert} (since ${since}): ${c.text}`,
    alert: c.alert,
    state,
    severity: c.severity,
    database: o.database,
    plan: ctx.plan,
    phase: ctx.phase,
    value: c.value,
    threshold: c.threshold,
    since,
    at: new Date(ctx.now).toISOString(),
    ...(c.detail ? { detail: c.detail } : {}),
  };
}

// switchyard.yaml: where the database, the declared schema and the plans are. Values may say ${ENV_VAR}
// (or ${ENV_VAR:-fallback}); unknown keys are errors, reported together with file, line and column.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve, dirname } from 'node:path';
import type { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseConninfo } from '../db/conninfo.js';
import { HAZARDS } from '../planner/types.js';
import { SwitchyardError, UsageError, formatProblem, type Problem } from '../errors.js';
import { show } from '../schema/declared/issues.js';
import { keysOf, schemaAt, valueAt } from '../schema/declared/zod-walk.js';
import { closest } from '../schema/model/names.js';
import { ALERTS_SCHEMA } from './alerts.js';

/** The configuration file read from the current folder when no path is given. */
export const CONFIG_FILE = 'switchyard.yaml';

/** `environment:` values; `production` makes `apply --all` ask for --yes. */
export const ENVIRONMENTS = ['development', 'test', 'staging', 'production'] as const;

// Pair and router (blue/green mode). The URLs may be absent here and given as flags (`--blue`, `--green`);
// `pair` commands say which is missing. Messages name the key and the fix: loadConfig prints them as they are.
// Parsed as the connection will parse it, so the message says what is wrong (with the password masked).
const postgresUrl = (key: string) =>
  z.string().superRefine((v, ctx) => {
    try {
      parseConninfo(v);
    } catch (e) {
      const why = e instanceof UsageError ? e.message : String(e);
      ctx.addIssue({
        code: 'custom',
        message: `\`${key}\` must be a postgres://user@host:port/database URL or a libpq key=value string (a \${ENV_VAR} is fine): ${why}`,
      });
    }
  });

const PairConfig = z
  .object({
    blue: postgresUrl('pair.blue').meta({
      description: 'URL of the blue database; may be ${BLUE_URL}',
      examples: ['${BLUE_URL}'],
    }),
    green: postgresUrl('pair.green').meta({
      description: 'URL of the green database; may be ${GREEN_URL}',
      examples: ['${GREEN_URL}'],
    }),
    replicationUser: z
      .string()
      .regex(/^[^\s@:/]+$/, {
        message:
          "`pair.replicationUser` must be a role name (no spaces, @, : or /): the role the standby's subscription logs in as",
      })
      .meta({
        description:
          'role the subscription connects to the live side as (REPLICATION); default: the user in the live URL',
        examples: ['replicator'],
      }),
    fenceTimeoutMs: z.coerce
      .number()
      .int()
      .positive()
      .meta({
        description:
          'cutover and cutback: if switchyard dies or hangs while writes are fenced, a guardian process lifts the fence after this many ms (undoing a switch that had not committed); default 5000',
        examples: [5000],
      }),
  })
  .partial()
  .strict();

const ROUTER_KINDS = ['pgbouncer', 'command', 'none'] as const;

const RouterConfig = z
  .object({
    kind: z
      .enum(ROUTER_KINDS, { message: '`router.kind` must be one of pgbouncer, command, none' })
      .describe('what moves application traffic at cutover')
      .default('none'),
    admin: postgresUrl('router.admin')
      .meta({
        description: 'with kind pgbouncer: the PgBouncer admin console',
        examples: ['postgres://pgbouncer@127.0.0.1:6432/pgbouncer'],
      })
      .optional(),
    config: z
      .string()
      .min(1)
      .meta({
        description: 'with kind pgbouncer: path of pgbouncer.ini, whose [databases] entry is rewritten',
        examples: ['/etc/pgbouncer/pgbouncer.ini'],
      })
      .optional(),
    database: z
      .string()
      .min(1)
      .meta({
        description: 'with kind pgbouncer: the [databases] entry that moves (the name clients connect to)',
        examples: ['app'],
      })
      .optional(),
    run: z
      .string()
      .min(1)
      .meta({
        description: 'with kind command: the command to run, with {side} and {url} replaced',
        examples: ['./switch-traffic.sh {side} {url}'],
      })
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const need = (key: 'admin' | 'config' | 'database' | 'run', what: string) => {
      if (r[key] === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `\`router.${key}\` is required with kind ${r.kind}: set it to ${what}`,
        });
    };
    if (r.kind === 'pgbouncer') {
      need('admin', 'the PgBouncer admin console URL, e.g. postgres://pgbouncer@127.0.0.1:6432/pgbouncer');
      need('config', 'the path of pgbouncer.ini, e.g. /etc/pgbouncer/pgbouncer.ini');
      need('database', 'the [databases] entry clients connect to, e.g. app');
    }
    if (r.kind === 'command') {
      need('run', 'a command such as "./switch-traffic.sh {side} {url}"');
      if (r.run !== undefined && !/\{(side|url)\}/.test(r.run)) {
        ctx.addIssue({
          code: 'custom',
          path: ['run'],
          message:
            '`router.run` names neither {side} nor {url}: add them, e.g. "./switch-traffic.sh {side} {url}", so the command knows where traffic goes',
        });
      }
    }
  });

/** switchyard.yaml's keys. Every key has a description (and a default or an example): `init` writes them all. */
export const CONFIG_SCHEMA = z
  .object({
    database: z
      .string()
      .meta({
        description: 'URL of the database (single-database mode); may be ${DATABASE_URL}',
        examples: ['${DATABASE_URL}'],
      })
      .optional(),
    schema: z.string().describe('path of the declared schema, relative to this file').default('schema.yaml'),
    plans: z.string().describe('folder of plan files').default('plans'),
    migrations: z.string().describe('folder of rendered SQL').default('migrations'),
    ledgerSchema: z
      .string()
      .describe('schema holding the ledger tables in each database; never replicated')
      .default('switchyard'),
    shadow: z
      .string()
      .meta({
        description:
          "server to canonicalize declared schemas on (a scratch database is made and dropped); default: a throwaway PostgreSQL of the target's major",
        examples: ['postgres://postgres@127.0.0.1:5433/postgres'],
      })
      .optional(),
    allowHazards: z
      .array(z.enum(HAZARDS))
      .meta({
        description: `hazards \`lint\` and \`apply\` accept beyond the defaults: ${HAZARDS.join(', ')}`,
        examples: [['TABLE_REWRITE']],
      })
      .default([]),
    requireSignature: z
      .string()
      .min(1)
      .meta({
        description:
          'an Ed25519 public key (.pem): apply and rollback refuse a plan without a valid plans/NNNN_name.plan.sig (plan --sign)',
        examples: ['keys/plans.pub.pem'],
      })
      .optional(),
    strict: z
      .boolean()
      .describe(
        'exit 1 when the database holds objects switchyard does not model (introspect, diff, plan), as --strict does',
      )
      .default(false),
    introspect: z
      .object({
        include: z
          .array(z.string())
          .meta({ description: 'schemas to read (default: every non-system schema)', examples: [['public']] })
          .optional(),
        exclude: z
          .array(z.string())
          .meta({ description: 'schemas never to read', examples: [['audit']] })
          .optional(),
      })
      .strict()
      .describe('which schemas `introspect` reads')
      .default({}),
    healthCheck: z
      .object({
        url: z
          .string()
          .meta({ description: 'HTTP(S) URL that must answer 2xx', examples: ['https://app.internal/healthz'] })
          .optional(),
        command: z
          .string()
          .meta({ description: 'shell command that must exit 0 (instead of url)', examples: ['./check-app.sh'] })
          .optional(),
        timeoutMs: z.coerce.number().int().positive().describe('how long a try may take, in ms').default(10_000),
        onFailure: z
          .enum(['rollback', 'stop'])
          .describe('after a phase: roll it back, or stop and report')
          .default('stop'),
        afterSwitch: z
          .enum(['cutback', 'stop'])
          .describe('after a cutover or cutback with a pair: switch straight back, or stop and report')
          .default('cutback'),
      })
      .strict()
      .refine((h) => (h.url === undefined) !== (h.command === undefined), {
        message: '`healthCheck` needs exactly one of `url` or `command`',
      })
      .describe('checked after every phase, cutover and cutback; exactly one of url or command')
      .optional(),
    backup: z
      .object({
        file: z
          .string()
          .meta({ description: 'a backup file whose age preflight checks', examples: ['/backups/app.dump'] })
          .optional(),
        command: z
          .string()
          .meta({
            description: 'a command printing the time of the last backup (ISO 8601) or exiting non-zero',
            examples: ['./last-backup-time.sh'],
          })
          .optional(),
        maxAgeHours: z.coerce.number().positive().describe('the oldest backup preflight accepts, in hours').default(24),
      })
      .strict()
      .describe('the last backup, whose age preflight checks')
      .optional(),
    environment: z
      .enum(ENVIRONMENTS, { message: `\`environment\` must be one of ${ENVIRONMENTS.join(', ')}` })
      .meta({
        description:
          'what this database is; with production, `apply --all` (every remaining phase back to back, contracts included) asks for --yes',
        examples: ['production'],
      })
      .optional(),
    windowMinutes: z.coerce
      .number()
      .positive()
      .meta({ description: 'the maintenance window a plan phase must fit in (preflight)', examples: [30] })
      .optional(),
    alerts: ALERTS_SCHEMA.describe(
      'watch the database(s) during apply, rollback, cutover and cutback (and `switchyard watch`), and send alerts',
    ).optional(),
    pair: PairConfig.describe(
      'the blue/green pair (pair init, cutover, cutback); --blue and --green override',
    ).optional(),
    router: RouterConfig.describe('what moves application traffic at cutover and cutback').optional(),
    cutover: z
      .object({
        requireVerify: z
          .boolean()
          .describe(
            'the cutover gate refuses without a clean `pair verify` of this generation since the last phase and schema change',
          )
          .default(false),
        verifyMaxAgeHours: z.coerce
          .number()
          .positive()
          .describe('with requireVerify: the oldest clean verify the gate accepts, in hours')
          .default(24),
      })
      .strict()
      .describe('what the cutover gate requires beyond a streaming pair')
      .default({ requireVerify: false, verifyMaxAgeHours: 24 }),
    rehearsal: z
      .object({
        engine: z
          .enum(['embedded', 'docker'])
          .describe('where rehearse runs: embedded PostgreSQL, or a docker container')
          .default('embedded'),
        image: z
          .string()
          .meta({ description: 'with engine docker: the image (default postgres:<major>)', examples: ['postgres:17'] })
          .optional(),
        sampleRows: z.coerce
          .number()
          .int()
          .min(0)
          .describe('rows of sample data per table the rehearsal fills in')
          .default(20),
      })
      .strict()
      .describe('how `rehearse` runs a plan')
      .default({ engine: 'embedded', sampleRows: 20 }),
  })
  .strict();

/** The `pair:` section of switchyard.yaml: the blue and green URLs and the replication user. */
export type PairSettings = z.infer<typeof PairConfig>;
/** The `router:` section of switchyard.yaml: what moves application traffic at cutover. */
export type RouterSettings = z.infer<typeof RouterConfig>;
export { ROUTER_KINDS };

/** switchyard.yaml as read by `loadConfig`, every default filled in; every command function takes it. */
export type SwitchyardConfig = z.infer<typeof CONFIG_SCHEMA> & {
  /** Folder the config file is in (paths inside it are relative to this); cwd without a file. */
  readonly root: string;
  /** The file that was read, if any. */
  readonly file?: string;
  /** Environment variables the file names that are not set (their settings count as absent). */
  readonly unsetVariables?: readonly string[];
};

/** switchyard.yaml is invalid: every problem, located by file, line and column (code `INVALID_CONFIG`, exit 2). */
export class InvalidConfigError extends SwitchyardError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    super(
      'INVALID_CONFIG',
      ['problems in the configuration:', ...problems.map((p) => `  ${formatProblem(p)}`)].join('\n'),
      2,
    );
    this.problems = problems;
  }
}

/**
 * Replaces ${VAR} and ${VAR:-fallback} in every string value. A value naming an unset variable without a
 * fallback is left out (as if not configured) and its variable recorded, so that only a command needing
 * that value fails, with a message naming the variable.
 */
function substitute(value: unknown, missing: Set<string>): unknown {
  if (typeof value === 'string') {
    let unset = false;
    const out = value.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
      (_m, name: string, fallback?: string) => {
        const v = process.env[name];
        if (v !== undefined && v !== '') return v;
        if (fallback !== undefined) return fallback;
        missing.add(name);
        unset = true;
        return '';
      },
    );
    return unset ? undefined : out;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, substitute(v, missing)])
        .filter(([, v]) => v !== undefined),
    );
  }
  return value;
}

/** Reads `path` (or ./switchyard.yaml when present); without a file, every setting takes its default. */
export async function loadConfig(path?: string): Promise<SwitchyardConfig> {
  const file = path ? resolve(path) : existsSync(CONFIG_FILE) ? resolve(CONFIG_FILE) : undefined;
  if (!file) return { ...CONFIG_SCHEMA.parse({}), root: process.cwd() };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the configuration file ${file}: ${(e as Error).message}`, { cause: e });
  }
  // The YAML parser is loaded only when there is a file to parse (commands run without one start faster).
  const { LineCounter, parseDocument } = await import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (offset: number) => lines.linePos(offset);
  const problems: Problem[] = doc.errors.map((e) => ({
    file,
    ...lineCol(at(e.pos[0])),
    path: '',
    message: e.message.split('\n')[0] ?? e.message,
  }));
  if (problems.length) throw new InvalidConfigError(problems);
  const missing = new Set<string>();
  const raw = substitute(doc.toJS() ?? {}, missing);
  const parsed = CONFIG_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keyPath = issue.path.map(String);
      for (const p of describeIssue(issue, raw)) {
        const pos = at(nodeOffset(doc, keyPath, p.key));
        problems.push({
          file,
          ...lineCol(pos),
          path: [...keyPath, ...(p.key !== undefined ? [p.key] : [])].join('.'),
          message: p.message,
          fix: p.fix ?? 'see `switchyard init` for a commented example of every key',
        });
      }
    }
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  if (problems.length) throw new InvalidConfigError(problems);
  return {
    ...parsed.data!,
    root: dirname(file),
    file,
    ...(missing.size ? { unsetVariables: [...missing].sort() } : {}),
  };
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  number: 'a number',
  int: 'a whole number',
};

/**
 * A zod issue in the words of the file, as the declared schema's are (schema/declared/issues.ts): the key by
 * its dotted path, what was found, and a did-you-mean for a misspelled key or value. `key`: the unknown key.
 */
function describeIssue(
  issue: z.core.$ZodIssue,
  raw: unknown,
): Array<{ readonly key?: string; readonly message: string; readonly fix?: string }> {
  const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  const where = `\`${path.join('.')}\``;
  const value = valueAt(raw, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = keysOf(schemaAt(CONFIG_SCHEMA, raw, path));
      return issue.keys.map((key) => {
        const near = closest(key, valid);
        return {
          key,
          message: `unknown key \`${key}\`${path.length ? ` in ${where}` : ''}`,
          fix: near ? `did you mean \`${near}\`?` : `valid keys here: ${valid.join(', ')}`,
        };
      });
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const near = typeof value === 'string' ? closest(value, values) : undefined;
      return [
        {
          message: `${where} must be one of ${values.join(', ')}; got ${show(value)}`,
          ...(near ? { fix: `did you mean \`${near}\`?` } : {}),
        },
      ];
    }
    case 'invalid_type':
      if (path.length === 0) return [{ message: `the file must be a mapping of settings, got ${show(value)}` }];
      return [{ message: `${where} must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${show(value)}` }];
    default:
      // The schema's own messages name their key already (\`router.run\` names neither...).
      return [
        { message: issue.message.startsWith('`') || !path.length ? issue.message : `${where}: ${issue.message}` },
      ];
  }
}

/** Offset of the value at `path`, or of the key `key` inside the mapping at `path`. */
function nodeOffset(doc: ReturnType<typeof parseDocument>, path: string[], key?: string): number {
  const node = (path.length ? doc.getIn(path, true) : doc.contents) as {
    range?: [number, number];
    items?: Array<{ key?: { value?: unknown; range?: [number, number] } }>;
  } | null;
  if (key !== undefined) {
    const pair = node?.items?.find((p) => p.key?.value === key);
    if (pair?.key?.range) return pair.key.range[0];
  }
  return node?.range?.[0] ?? 0;
}

function lineCol(p: { line: number; col: number }): { line: number; column: number } {
  return { line: p.line, column: p.col };
}

/** A path from the config, resolved against the config's folder. */
export function configPath(config: SwitchyardConfig, relative: string): string {
  return resolve(config.root, relative);
}

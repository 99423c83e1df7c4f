// switchyard.yaml: where the database, the declared schema and the plans are. Values may say ${ENV_VAR}
// (or ${ENV_VAR:-fallback}); unknown keys are errors, reported together with file, line and column.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve, dirname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { parseConninfo } from '../db/conninfo.js';
import { HAZARDS } from '../planner/types.js';
import { SwitchyardError, UsageError, formatProblem, type Problem } from '../errors.js';

/** The configuration file read from the current folder when no path is given. */
export const CONFIG_FILE = 'switchyard.yaml';

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
    blue: postgresUrl('pair.blue').describe('URL of the blue database; may be ${BLUE_URL}').optional(),
    green: postgresUrl('pair.green').describe('URL of the green database; may be ${GREEN_URL}').optional(),
    replicationUser: z
      .string()
      .regex(/^[^\s@:/]+$/, {
        message:
          "`pair.replicationUser` must be a role name (no spaces, @, : or /): the role the standby's subscription logs in as",
      })
      .describe('role the subscription connects to the live side as (REPLICATION); default: the user in the live URL')
      .optional(),
  })
  .strict();

const ROUTER_KINDS = ['pgbouncer', 'command', 'none'] as const;

const RouterConfig = z
  .object({
    kind: z
      .enum(ROUTER_KINDS, { message: '`router.kind` must be one of pgbouncer, command, none' })
      .describe('what moves application traffic at cutover')
      .default('none'),
    admin: postgresUrl('router.admin')
      .describe('PgBouncer admin console, e.g. postgres://pgbouncer@127.0.0.1:6432/pgbouncer')
      .optional(),
    config: z.string().min(1).describe('path of pgbouncer.ini, whose [databases] entry is rewritten').optional(),
    database: z.string().min(1).describe('the [databases] entry that moves (the name clients connect to)').optional(),
    run: z.string().min(1).describe('kind: command: the command to run, with {side} and {url} replaced').optional(),
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

const Config = z
  .object({
    database: z.string().describe('URL of the database (single-database mode); may be ${DATABASE_URL}').optional(),
    schema: z.string().describe('path of the declared schema, relative to this file').default('schema.yaml'),
    plans: z.string().describe('folder of plan files').default('plans'),
    migrations: z.string().describe('folder of rendered SQL').default('migrations'),
    ledgerSchema: z.string().describe('schema holding the ledger tables').default('switchyard'),
    shadow: z
      .string()
      .describe(
        "server to canonicalize declared schemas on (a scratch database is made and dropped); default: a throwaway PostgreSQL of the target's major",
      )
      .optional(),
    allowHazards: z
      .array(z.enum(HAZARDS))
      .describe('hazards `lint` and `apply` accept beyond the defaults')
      .default([]),
    requireSignature: z
      .string()
      .min(1)
      .describe(
        'an Ed25519 public key (.pem): apply and rollback refuse a plan without a valid plans/NNNN_name.plan.sig (plan --sign)',
      )
      .optional(),
    strict: z
      .boolean()
      .describe(
        'exit 1 when the database holds objects switchyard does not model (introspect, diff, plan), as --strict does',
      )
      .default(false),
    introspect: z
      .object({ include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional() })
      .strict()
      .default({}),
    healthCheck: z
      .object({
        url: z.string().describe('HTTP(S) URL that must answer 2xx').optional(),
        command: z.string().describe('shell command that must exit 0').optional(),
        timeoutMs: z.coerce.number().int().positive().default(10_000),
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
        message: 'healthCheck needs exactly one of `url` or `command`',
      })
      .optional(),
    backup: z
      .object({
        file: z.string().describe('a backup file whose age preflight checks').optional(),
        command: z
          .string()
          .describe('a command printing the time of the last backup (ISO 8601) or exiting non-zero')
          .optional(),
        maxAgeHours: z.coerce.number().positive().default(24),
      })
      .strict()
      .optional(),
    windowMinutes: z.coerce
      .number()
      .positive()
      .describe('the maintenance window a plan phase must fit in (preflight)')
      .optional(),
    pair: PairConfig.optional(),
    router: RouterConfig.optional(),
    rehearsal: z
      .object({
        engine: z.enum(['embedded', 'docker']).default('embedded'),
        image: z.string().optional(),
        sampleRows: z.coerce.number().int().min(0).default(20),
      })
      .strict()
      .default({ engine: 'embedded', sampleRows: 20 }),
  })
  .strict();

/** The `pair:` section of switchyard.yaml: the blue and green URLs and the replication user. */
export type PairSettings = z.infer<typeof PairConfig>;
/** The `router:` section of switchyard.yaml: what moves application traffic at cutover. */
export type RouterSettings = z.infer<typeof RouterConfig>;
export { ROUTER_KINDS };

/** switchyard.yaml as read by `loadConfig`, every default filled in; every command function takes it. */
export type SwitchyardConfig = z.infer<typeof Config> & {
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
  if (!file) return { ...Config.parse({}), root: process.cwd() };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the configuration file ${file}: ${(e as Error).message}`, { cause: e });
  }
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
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keyPath = issue.path.map(String);
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const pos = at(nodeOffset(doc, keyPath, key));
        const message = key === undefined ? issue.message : `unknown key \`${key}\``;
        problems.push({
          file,
          ...lineCol(pos),
          path: [...keyPath, ...(key ? [key] : [])].join('.'),
          message,
          fix: 'see `switchyard init` for a commented example',
        });
      }
    }
  }
  if (problems.length) throw new InvalidConfigError(problems);
  return {
    ...parsed.data!,
    root: dirname(file),
    file,
    ...(missing.size ? { unsetVariables: [...missing].sort() } : {}),
  };
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

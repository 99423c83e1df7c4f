// init, validate, introspect, diff: the declared schema and the live database.
import type { Command } from 'commander';
import { formatProblem } from '../../errors.js';
import type { CliIO } from '../io.js';
import { context, examples, list, noticeNotModeled, type SetExit, STRICT_OPTION } from './context.js';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function registerSchemaCommands(program: Command, io: CliIO, setExit: SetExit): void {
  program
    .command('init')
    .description('write switchyard.yaml documenting every key, and an example schema.yaml (never overwrites)')
    .addHelpText('after', examples(['switchyard init']))
    .action(async (_o, cmd: Command) => {
      const ctx = context(cmd, io);
      const { init } = await import('../../commands/init.js');
      const r = await init(process.cwd());
      ctx.print(
        r,
        () =>
          `${[
            ...r.created.map((f) => `${ctx.c.green('created')} ${f}`),
            ...r.skipped.map((f) => `${ctx.c.yellow('kept')} ${f} (already exists)`),
          ].join('\n')}\n`,
      );
    });

  program
    .command('validate')
    .description('check a declared schema file without a database')
    .argument('[schema]', 'the declared schema (default: `schema` from switchyard.yaml, else schema.yaml)')
    .addHelpText('after', examples(['switchyard validate', 'switchyard validate db/schema.yaml --json']))
    .action(async (file: string | undefined, _o, cmd: Command) => {
      const ctx = context(cmd, io);
      const config = await ctx.config();
      const [{ validateFile }, { configPath }] = await Promise.all([
        import('../../schema/declared/validate.js'),
        import('../../config/config.js'),
      ]);
      const r = await validateFile(configPath(config, file ?? config.schema));
      ctx.print(r, () =>
        r.ok
          ? `${ctx.c.green('valid')} ${r.file}: ${count(r.summary.schemas, 'schema')}, ${count(r.summary.tables, 'table')}, ${count(r.summary.columns, 'column')}, ${count(r.summary.indexes, 'index', 'indexes')}, ${count(r.summary.foreignKeys, 'foreign key')}\n`
          : `${ctx.c.red(`${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`)} in ${r.file}:\n` +
            r.problems.map((p) => `  ${formatProblem(p)}\n`).join(''),
      );
      if (!r.ok) setExit(2);
    });

  program
    .command('introspect')
    .description('read a live database into a declared schema (YAML)')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option('-o, --output <file>', 'write the YAML to a file instead of stdout')
    .option('--include <schemas>', 'only these schemas (comma-separated)', list)
    .option('--exclude <schemas>', 'skip these schemas (comma-separated)', list)
    .option(...STRICT_OPTION)
    .addHelpText(
      'after',
      examples([
        'switchyard introspect --db postgres://app@127.0.0.1:5432/app -o schema.yaml',
        'switchyard introspect --include public,central --json',
      ]),
    )
    .action(
      async (
        o: { db?: string; output?: string; include?: string[]; exclude?: string[]; strict?: boolean },
        cmd: Command,
      ) => {
        const ctx = context(cmd, io);
        const { introspectCommand } = await import('../../commands/introspect.js');
        const r = await introspectCommand(await ctx.config(), o);
        const data = { database: r.database, fingerprint: r.fingerprint, written: r.written, notModeled: r.notModeled };
        ctx.print({ ...data, schema: r.schema }, () =>
          r.written ? `${ctx.c.green('wrote')} ${r.written} (${r.fingerprint})\n` : r.yaml,
        );
        // On stdout the YAML ends with the list already.
        if (r.written) noticeNotModeled(ctx, r.notModeled);
      },
    );

  program
    .command('diff')
    .description('typed changes from the live database to the declared schema')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option('--schema <file>', 'declared schema (default: `schema` from switchyard.yaml)')
    .option('--exit-code', 'exit 1 when there are changes and 0 when there are none (like git diff --exit-code)', false)
    .option(
      '--shadow-db <url>',
      "server to canonicalize the declared schema on (a scratch database is made and dropped there); default: `shadow:` in switchyard.yaml, SWITCHYARD_SHADOW_DB, else a throwaway PostgreSQL of the target's major. Never written: the database given with --db",
    )
    .option(...STRICT_OPTION)
    .addHelpText(
      'after',
      examples([
        'switchyard diff --db postgres://app@127.0.0.1/app --schema schema.yaml',
        'switchyard diff --exit-code --json   # CI: fails when the database is behind',
        'switchyard diff --db "$PROD_READONLY_URL" --shadow-db postgres://postgres@127.0.0.1:5433/postgres',
      ]),
    )
    .action(
      async (
        o: { db?: string; schema?: string; exitCode: boolean; shadowDb?: string; strict?: boolean },
        cmd: Command,
      ) => {
        const ctx = context(cmd, io);
        const { diffCommand } = await import('../../commands/diff.js');
        const r = await diffCommand(await ctx.config(), { ...o, notice: (m) => io.stderr(`${ctx.c.dim(m)}\n`) });
        noticeNotModeled(ctx, r.notModeled);
        ctx.print(r, () =>
          r.changes.length === 0
            ? `${ctx.c.green('no changes')}: ${r.database} matches ${r.schemaFile}\n`
            : `${r.changes.length} change${r.changes.length === 1 ? '' : 's'} from ${r.database} to ${r.schemaFile}:\n` +
              r.descriptions.map((d) => `  ${d}\n`).join(''),
        );
        if (o.exitCode && r.changes.length > 0) setExit(1);
      },
    );
}

// `switchyard introspect`: the live database as a declared schema.
import { writeFile } from 'node:fs/promises';
import { describeTarget, resolveTarget, withClients } from '../db/connect.js';
import { configPath, type SwitchyardConfig } from '../config/config.js';
import {
  assertModeled,
  describeNotModeled,
  introspect,
  inventory,
  type NotModeled,
  readDependencies,
} from '../introspect/index.js';
import { prepareSession } from '../db/session.js';
import { shareSnapshot } from '../db/snapshot.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { snapshotJson } from '../schema/declared/snapshot.js';
import { readExtensions } from '../introspect/extensions.js';
import { toYaml } from '../schema/emit/yaml.js';

/** Options of `introspectCommand`: the database and which schemas to read. */
export interface IntrospectCommandOptions {
  readonly db?: string;
  readonly output?: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Refuse (NotModeledError, exit 1) when the database holds objects the model does not; default `strict:`. */
  readonly strict?: boolean;
}

/** The live database as switchyard models it, its fingerprint, its YAML, and what it holds outside the model. */
export interface IntrospectResult {
  readonly database: string;
  readonly schema: DatabaseSchema;
  readonly yaml: string;
  readonly fingerprint: string;
  /** What the schema file cannot say: also listed, as comments, at the end of the YAML. */
  readonly notModeled: readonly NotModeled[];
  readonly written?: string;
}

/** `switchyard introspect`: reads a live database into the declared-schema model (and its YAML). */
export async function introspectCommand(
  config: SwitchyardConfig,
  o: IntrospectCommandOptions,
): Promise<IntrospectResult> {
  const target = resolveTarget(o.db, config.database, config.unsetVariables);
  const include = o.include ?? config.introspect.include;
  const exclude = o.exclude ?? config.introspect.exclude;
  const options = {
    ...(include ? { includeSchemas: include } : {}),
    ...(exclude ? { excludeSchemas: exclude } : {}),
  };
  const json = o.output?.endsWith('.json') === true;
  // Three sessions on one exported snapshot: the model on two (introspect's two lanes), what lies outside it on
  // the third, so the server reads several catalogs at once while the client maps rows (all read-only).
  const [structure, notModeled, extensions, dependencies] = await withClients(target, 3, async ([a, b, c]) => {
    if (!a || !b || !c) throw new Error('three connections were asked for');
    await Promise.all([prepareSession(a), prepareSession(b), prepareSession(c)]);
    const snapshot = await shareSnapshot(a, b, c);
    try {
      const [model, [outside, exts, deps]] = await Promise.all([
        introspect(a, options, c),
        (async () =>
          [
            await inventory(b, options),
            await readExtensions(b),
            // Only a JSON snapshot records them (for `plan --from`); YAML is the declared form and has no place for them.
            json ? await readDependencies(b, options) : undefined,
          ] as const)(),
      ]);
      return [model, outside, exts, deps] as const;
    } finally {
      await snapshot.end();
    }
  });
  assertModeled(notModeled, o.strict ?? config.strict);
  // The extensions go in the model (an `extensions:` section, which a declared file keeps to manage them).
  const schema: DatabaseSchema = { ...structure, extensions };
  const fp = fingerprint(schema);
  // The extensions and what is not modeled travel with the snapshot: `plan --from` names them and builds the
  // shadow with the extensions, as planning from the database does.
  const yaml = `# introspected from ${describeTarget(target)}\n# fingerprint ${fp}\n${toYaml(schema)}${notModeledComment(notModeled)}`;
  // A .json output is a snapshot for large schemas: no YAML to parse when planning from it.
  if (o.output)
    await writeFile(
      configPath(config, o.output),
      json ? snapshotJson(schema, describeTarget(target), { extensions, notModeled, dependencies }) : yaml,
    );
  return {
    database: describeTarget(target),
    schema,
    yaml,
    fingerprint: fp,
    notModeled,
    ...(o.output ? { written: o.output } : {}),
  };
}

/**
 * The inventory as a comment block at the end of the YAML: a comment changes neither the model nor its
 * fingerprint, so the file still loads as an unedited snapshot, and whoever reads it sees what it leaves out.
 */
export function notModeledComment(items: readonly NotModeled[]): string {
  if (items.length === 0) return '';
  const lines = items.map((n) => `#   ${describeNotModeled(n).replace(/\s*\n\s*/g, ' ')}`);
  return `\n# Not modeled by switchyard (${items.length}): left as they are, never planned.\n${lines.join('\n')}\n`;
}

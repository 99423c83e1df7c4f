// `switchyard introspect`: the live database as a declared schema.
import { writeFile } from 'node:fs/promises';
import { describeTarget, resolveTarget, withClient } from '../db/connect.js';
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { introspect } from '../introspect/index.js';
import { prepareSession } from '../rehearsal/shadow.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { snapshotJson } from '../schema/declared/snapshot.js';
import { toYaml } from '../schema/declared/yaml.js';

export interface IntrospectCommandOptions {
  readonly db?: string;
  readonly output?: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

export interface IntrospectResult {
  readonly database: string;
  readonly schema: DatabaseSchema;
  readonly yaml: string;
  readonly fingerprint: string;
  readonly written?: string;
}

export async function introspectCommand(
  config: SwitchyardConfig,
  o: IntrospectCommandOptions,
): Promise<IntrospectResult> {
  const target = resolveTarget(o.db, config.database, config.unsetVariables);
  const include = o.include ?? config.introspect.include;
  const exclude = o.exclude ?? config.introspect.exclude;
  const schema = await withClient(target, async (c) => {
    await prepareSession(c);
    return introspect(c, {
      ...(include ? { includeSchemas: include } : {}),
      ...(exclude ? { excludeSchemas: exclude } : {}),
    });
  });
  const fp = fingerprint(schema);
  const yaml = `# introspected from ${describeTarget(target)}\n# fingerprint ${fp}\n${toYaml(schema)}`;
  // A .json output is a snapshot for large schemas: no YAML to parse when planning from it.
  if (o.output)
    await writeFile(
      configPath(config, o.output),
      o.output.endsWith('.json') ? snapshotJson(schema, describeTarget(target)) : yaml,
    );
  return {
    database: describeTarget(target),
    schema,
    yaml,
    fingerprint: fp,
    ...(o.output ? { written: o.output } : {}),
  };
}

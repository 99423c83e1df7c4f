// A declared grant to a role the server lacks, as a problem at each YAML node naming the role: the server's
// own refusal (`role "x" does not exist`) would name neither the node nor the fix.
import { InvalidSchemaError, type Problem } from '../../errors.js';
import { grantRoles } from '../model/grants.js';
import type { DatabaseSchema } from '../model/model.js';
import { q } from '../model/names.js';
import { problemAt } from './locate.js';

/** InvalidSchemaError naming every missing role where the declared file (when known) names it. */
export async function missingRolesError(
  model: DatabaseSchema,
  missing: readonly string[],
  where: string,
  fix: string,
  file?: string,
): Promise<InvalidSchemaError> {
  const paths = grantRoles(model);
  const problems: Problem[] = [];
  for (const role of missing) {
    const message = `the role ${q(role)} does not exist on ${where} (roles belong to the cluster: a plan cannot create them)`;
    for (const path of paths.get(role) ?? [[]]) {
      problems.push(
        file
          ? await problemAt(file, path, message, fix)
          : {
              file: '(declared schema)',
              line: 1,
              column: 1,
              path: path.join('.'),
              message: `${path.join('.')}: ${message}`,
              fix,
            },
      );
    }
  }
  return new InvalidSchemaError(problems);
}

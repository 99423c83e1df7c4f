// Preflight's view of the inventory: objects in the plan's schemas that the model does not hold. The plan
// neither sees nor changes them, so whoever applies it should know they are there (a view on a column the
// plan drops, a policy on a table it rewrites). A warning, or a failure with `strict: true` in switchyard.yaml.
import { describeNotModeled, inventory } from '../../introspect/index.js';
import { fail, guarded, listed, pass, plural, warn, type Check, type CheckContext } from './types.js';

export async function notModeledCheck(ctx: CheckContext): Promise<Check> {
  const id = 'not-modeled',
    title = 'no objects outside the model in the schemas of the plan';
  return guarded(id, title, async () => {
    const schemas = [
      ...new Set([...ctx.plan.source.snapshot.schemas, ...ctx.plan.target.snapshot.schemas].map((s) => s.name)),
    ];
    const items = await inventory(ctx.db, { includeSchemas: schemas });
    if (items.length === 0) return pass(id, title, `none in ${listed(schemas)}`);
    const detail = `${plural(items.length, 'object')} not modeled, left as they are: ${listed(items.map(describeNotModeled), 5)}`;
    const fix =
      'check that the plan does not break them (switchyard diff --verbose lists them all); they are not planned, rehearsed or rolled back';
    return ctx.config.strict ? fail(id, title, detail, fix) : warn(id, title, detail, fix);
  });
}

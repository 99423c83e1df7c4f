// What the schemas a plan runs on hold outside the model, read on the database a command runs on: apply,
// status and the tenant commands name it as introspect, plan and rehearse do (never silent), and `--strict`
// (or `strict: true`) refuses with exit 1 before anything runs.
import type { Client } from '../db/connect.js';
import { assertModeled, inventory, type NotModeled } from '../introspect/index.js';
import { readRegistry } from '../introspect/registry.js';
import type { Plan } from '../planner/types.js';
import { planTenants } from '../tenants/split.js';

/**
 * The inventory of the plan's schemas; for a plan with tenants, of every tenant schema its registry lists
 * (`tenants`, when the caller has read them already) and the shared schemas. One catalog query whatever the
 * number of schemas.
 */
export async function planInventory(c: Client, plan: Plan, tenants?: readonly string[]): Promise<NotModeled[]> {
  const names = new Set(plan.source.snapshot.schemas.map((s) => s.name));
  const t = planTenants(plan);
  if (t) for (const name of tenants ?? (await readRegistry(c, t)).tenants) names.add(name);
  return inventory(c, { includeSchemas: [...names] });
}

/**
 * An executor's `open` that also reads the plan's inventory on the connection it opened, into `sink`; with
 * `strict`, a non-empty inventory closes the connection and refuses (NotModeledError) before the lock is taken.
 */
export function openInventoried<T extends { readonly client: Client }>(
  open: () => Promise<T>,
  plan: Plan,
  strict: boolean | undefined,
  sink: { notModeled?: NotModeled[] },
): () => Promise<T> {
  return async () => {
    const e = await open();
    try {
      sink.notModeled = await planInventory(e.client, plan);
      assertModeled(sink.notModeled, strict);
    } catch (err) {
      await e.client.end().catch(() => undefined);
      throw err;
    }
    return e;
  };
}

/**
 * A declared file without `extensions:` leaves the database's extensions alone (files written before the model
 * held them must not drop them): said once, naming them, so that leaving them unmanaged is never silent.
 */
export function unmanagedExtensions(
  declared: { readonly extensions?: readonly unknown[] },
  installed: readonly { readonly name: string; readonly version: string }[],
  file: string,
): string | undefined {
  if (declared.extensions !== undefined || installed.length === 0) return undefined;
  const names = installed.map((e) => `${e.name} ${e.version}`).join(', ');
  return `${file} has no \`extensions:\`, so the database's extensions (${names}) are left as they are; add the section (\`switchyard introspect\` writes it) to create, update and drop them with plans`;
}

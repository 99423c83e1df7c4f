// The layer order of DESIGN.md "Layout" (issue #19, point 2), enforced: imports only go down, never in a loop.
//   cli -> commands (config beside it) -> watch -> {tenants, pair} -> rehearsal -> executor -> planner
//       -> {diff, introspect} -> sql -> schema -> {db, errors.ts}
// ALLOWED lists, for each layer, the layers it may import; the rules forbid every other layer under src/.
/** @type {import('dependency-cruiser').IConfiguration} */

const LAYERS = {
  cli: '^src/cli/',
  commands: '^src/commands/',
  config: '^src/config/',
  watch: '^src/watch/',
  tenants: '^src/tenants/',
  pair: '^src/pair/',
  rehearsal: '^src/rehearsal/',
  executor: '^src/executor/',
  planner: '^src/planner/',
  diff: '^src/diff/',
  introspect: '^src/introspect/',
  sql: '^src/sql/',
  schema: '^src/schema/',
  db: '^src/db/',
  errors: '^src/errors[.]ts$',
};

/** Layer -> the layers it may import (besides itself). Anything else under src/ is forbidden. */
const ALLOWED = {
  cli: ['commands', 'config', 'watch', 'tenants', 'pair', 'rehearsal', 'executor', 'planner', 'diff', 'introspect', 'sql', 'schema', 'db', 'errors'],
  commands: ['config', 'watch', 'tenants', 'pair', 'rehearsal', 'executor', 'planner', 'diff', 'introspect', 'sql', 'schema', 'db', 'errors'],
  // Beside commands: it validates settings against what the lower layers define (hazards, connection strings).
  config: ['watch', 'tenants', 'pair', 'rehearsal', 'executor', 'planner', 'diff', 'introspect', 'sql', 'schema', 'db', 'errors'],
  // The watcher (issue #20) runs beside the executor commands: it reads the executor's events and the pair's
  // watch slot (peeked, never consumed), and is started by commands.
  watch: ['pair', 'rehearsal', 'executor', 'planner', 'diff', 'introspect', 'sql', 'schema', 'db', 'errors'],
  // tenants -> pair, one way: `tenants add` on a pair and tenant runs in pair mode use pair's session and
  // phase placement; pair knows nothing of tenants.
  tenants: ['pair', 'rehearsal', 'executor', 'planner', 'diff', 'introspect', 'sql', 'schema', 'db', 'errors'],
  pair: ['rehearsal', 'executor', 'planner', 'diff', 'introspect', 'sql', 'schema', 'db', 'errors'],
  rehearsal: ['executor', 'planner', 'diff', 'introspect', 'sql', 'schema', 'db', 'errors'],
  executor: ['planner', 'diff', 'introspect', 'sql', 'schema', 'db', 'errors'],
  planner: ['diff', 'introspect', 'sql', 'schema', 'db', 'errors'],
  diff: ['sql', 'schema', 'db', 'errors'],
  introspect: ['sql', 'schema', 'db', 'errors'],
  sql: ['schema', 'db', 'errors'],
  schema: ['db', 'errors'],
  db: ['errors'],
  errors: [],
};

const layerRules = Object.entries(ALLOWED).flatMap(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((l) => l !== layer && !allowed.includes(l) && l !== 'config');
  const rules = [];
  if (forbidden.length) {
    rules.push({
      name: `layer-${layer}`,
      comment: `${layer} may import only ${allowed.length ? allowed.join(', ') : 'nothing else in src/'} (DESIGN.md Layout)`,
      severity: 'error',
      from: { path: LAYERS[layer] },
      to: { path: forbidden.map((l) => LAYERS[l]).join('|') },
    });
  }
  // config is read by commands and cli only. Below them a module may name the shape of the settings it is
  // handed (`Pick<SwitchyardConfig, 'pair'>`, a type-only import, erased at build), never load or resolve config.
  if (layer !== 'config' && !allowed.includes('config')) {
    rules.push({
      name: `layer-${layer}-config`,
      comment: `${layer} may not import config/ except its types: commands load the config and pass the settings down`,
      severity: 'error',
      from: { path: LAYERS[layer] },
      to: { path: LAYERS.config, dependencyTypesNot: ['type-only'] },
    });
  }
  return rules;
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A loop between modules means no layer order; break it by moving the shared part down.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unlayered',
      comment: 'Every module under src/ belongs to a layer (or is src/index.ts, the public API, which may import anything).',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/index[.]ts$|^src/types/|${Object.values(LAYERS).join('|')}` },
      to: {},
    },
    ...layerRules,
    {
      name: 'schema-model-alone',
      comment: 'The model is plain data and the functions on it; the YAML reader (declared/) and writer (emit/) build on it.',
      severity: 'error',
      from: { path: '^src/schema/model/' },
      to: { path: '^src/schema/(declared|emit)/' },
    },
    {
      name: 'schema-emit-not-declared',
      comment: 'Writing YAML needs the model only, not the reader.',
      severity: 'error',
      from: { path: '^src/schema/emit/' },
      to: { path: '^src/schema/declared/' },
    },
    {
      name: 'planner-kind-to-kind',
      comment: 'A change kind imports recipes, never another kind: move the shared part into planner/recipes/.',
      severity: 'error',
      from: { path: '^src/planner/kinds/' },
      to: { path: '^src/planner/kinds/' },
    },
    {
      name: 'planner-recipe-to-kind',
      comment: 'Recipes are what kinds are made of; only planner/registry.ts imports the kinds.',
      severity: 'error',
      from: { path: '^src/planner/', pathNot: '^src/planner/(kinds/|registry[.]ts$)' },
      to: { path: '^src/planner/kinds/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    preserveSymlinks: true,
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

// Writes schema/switchyard.schema.json from the zod schema of the declared file.
// Run after a build:  npm run build && node scripts/with-node.mjs scripts/gen-json-schema.ts
// (Node 24 strips the types of this file; it imports the compiled dist/, typed against src/.)
// test/unit/declared/json-schema.test.ts fails when the checked-in file is stale.
import { writeFile } from 'node:fs/promises';

const declared: typeof import('../src/schema/declared/declared.js') = await import(
  new URL('../dist/schema/declared/declared.js', import.meta.url).href
);
const target = new URL('../schema/switchyard.schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(declared.jsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);

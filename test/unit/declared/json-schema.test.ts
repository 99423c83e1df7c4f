import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchema } from '../../../src/schema/declared/declared.js';

const CHECKED_IN = new URL('../../../schema/switchyard.schema.json', import.meta.url);

describe('schema/switchyard.schema.json', () => {
  it('is what the zod schema generates (regenerate: npm run build && node scripts/with-node.mjs scripts/gen-json-schema.ts)', () => {
    expect(readFileSync(CHECKED_IN, 'utf8')).toBe(`${JSON.stringify(jsonSchema(), null, 2)}\n`);
  });

  it('is strict and documents the main keys for editors', () => {
    const s = jsonSchema() as {
      title?: string;
      additionalProperties?: boolean;
      required?: string[];
      properties: Record<string, { description?: string }>;
    };
    expect(s.title).toBe('switchyard declared schema');
    expect(s.additionalProperties).toBe(false);
    expect(s.required).toEqual(['schemas']);
    const text = JSON.stringify(s);
    for (const title of [
      'Schema',
      'Table',
      'Column',
      'Index',
      'Foreign key',
      'Unique constraint',
      'Check constraint',
      'Enum',
      'Sequence',
      'Tenants',
    ])
      expect(text).toContain(`"title":"${title}"`);
    expect(text).toContain('"enum":["no action","restrict","cascade","set null","set default"]');
  });

  it('lets editors accept what YAML spells as numbers where text is read', () => {
    const text = JSON.stringify(jsonSchema());
    expect(text).toContain(
      '"start":{"description":"Default: min (ascending) or max (descending)","type":["integer","string"]',
    );
    expect(text).toMatch(/"default":\{"type":\["string","number","boolean"\]/);
  });
});

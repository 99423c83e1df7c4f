// The declared file bench/validate.ts times `switchyard validate` on: one schema of N small tables (two
// columns and a primary key; every tenth also an index and a foreign key to the table before it), about
// 155 bytes a table, so 65,000 tables make a 10 MB file. One schema holding every table is the shape that
// exposed per-table walks from the document root (issue #13). With `problems`, every table's `id` column
// says `nullable: nope`: one problem per table, and every table partly cut out by salvage.
import { writeFileSync } from 'node:fs';

export function tableYaml(i: number, problems = false): string {
  const t = `t${String(i).padStart(6, '0')}`;
  const lines = [
    `      ${t}:`,
    '        columns:',
    `          id: { type: bigint, nullable: ${problems ? 'nope' : 'false'} }`,
    `          ${i % 10 === 0 ? 'parent_id: { type: bigint }' : 'name: { type: text }'}`,
    '        primaryKey: { columns: [id] }',
  ];
  if (i % 10 === 0 && i > 1)
    lines.push(
      `        indexes: { ${t}_parent_idx: { columns: [parent_id] } }`,
      `        foreignKeys: { ${t}_parent_fkey: { columns: [parent_id], references: { table: t${String(i - 1).padStart(6, '0')} } } }`,
    );
  return `${lines.join('\n')}\n`;
}

/** Writes the file and returns its size in bytes. */
export function writeDeclared(path: string, tables: number, problems = false): number {
  const parts = ['schemas:\n  public:\n    tables:\n'];
  for (let i = 1; i <= tables; i++) parts.push(tableYaml(i, problems));
  const text = parts.join('');
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

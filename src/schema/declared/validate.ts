// `switchyard validate`: the problems of a declared file as data, for the CLI to print (exit 2 when not ok).
import { InvalidSchemaError, type Problem } from '../../errors.js';
import { checkDeclared, readDeclaredText } from './yaml.js';

/** How much a declared schema file declares. */
export interface ValidationSummary {
  readonly schemas: number;
  readonly tables: number;
  readonly columns: number;
  readonly indexes: number;
  readonly foreignKeys: number;
}

/** What `validateFile` found: every problem with file, line and column, and a count of what the file declares. */
export interface ValidationResult {
  readonly file: string;
  readonly ok: boolean;
  readonly problems: Problem[];
  readonly summary: ValidationSummary;
}

const mapping = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Counts what the file declares, read leniently so that a file with problems still gets a summary. */
export function summarize(data: unknown): ValidationSummary {
  const summary = { schemas: 0, tables: 0, columns: 0, indexes: 0, foreignKeys: 0 };
  for (const schema of Object.values(mapping(mapping(data).schemas))) {
    summary.schemas++;
    for (const table of Object.values(mapping(mapping(schema).tables))) {
      summary.tables++;
      const t = mapping(table);
      summary.columns += Object.keys(mapping(t.columns)).length;
      summary.indexes += Object.keys(mapping(t.indexes)).length;
      summary.foreignKeys += Object.keys(mapping(t.foreignKeys)).length;
    }
  }
  return summary;
}

/** Validates a declared schema file. Throws only when the file cannot be read (UsageError). */
export async function validateFile(path: string): Promise<ValidationResult> {
  let text: string;
  try {
    text = await readDeclaredText(path);
  } catch (e) {
    // Not UTF-8: reported like any other problem of the file.
    if (e instanceof InvalidSchemaError)
      return { file: path, ok: false, problems: [...e.problems], summary: summarize(undefined) };
    throw e;
  }
  // Only the problems: building the model would add time and memory on a large file and find nothing more.
  const { problems, data } = checkDeclared(text, path);
  return { file: path, ok: problems.length === 0, problems: [...problems], summary: summarize(data) };
}

// The library's surface (issue #18, point 9): src/index.ts exports the command functions, their results and
// events, the error classes and the model types, and every name it exports is documented where it is declared,
// so that an editor shows the TSDoc to a caller. Read with the TypeScript compiler, as an editor would.
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as library from '../../src/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const INDEX = join(ROOT, 'src', 'index.ts');

/** Every exported name of src/index.ts with the TSDoc of the declaration it resolves to. */
function exportedDocs(): Map<string, string> {
  const program = ts.createProgram([INDEX], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(INDEX);
  if (!source) throw new Error(`${INDEX} is not in the program`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${INDEX} has no module symbol`);
  const docs = new Map<string, string>();
  for (const symbol of checker.getExportsOfModule(module)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    docs.set(symbol.getName(), ts.displayPartsToString(target.getDocumentationComment(checker)).trim());
  }
  return docs;
}

describe('the library (src/index.ts)', () => {
  const docs = exportedDocs();

  it('documents every export with TSDoc on its declaration', () => {
    const undocumented = [...docs].filter(([, doc]) => doc === '').map(([name]) => name);
    expect(undocumented).toEqual([]);
  });

  it('exports the command functions, their results and events, the errors and the model types', () => {
    const names = [...docs.keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        'loadConfig',
        'planCommand',
        'applyCommand',
        'rollbackCommand',
        'executeCommand',
        'statusCommand',
        'preflightCommand',
        'rehearseCommand',
        'diffCommand',
        'introspectCommand',
        'ApplyResult',
        'ExecutorEvent',
        'PlanCommandResult',
        'SwitchyardError',
        'ErrorCode',
        'ERROR_CODES',
        'RefusedError',
        'DatabaseSchema',
        'Table',
        'Column',
        'Plan',
      ]),
    );
    // The runtime values are there, not only their types.
    expect(typeof library.applyCommand).toBe('function');
    expect(typeof library.loadConfig).toBe('function');
    expect(new library.UsageError('x')).toBeInstanceOf(library.SwitchyardError);
    expect(library.ERROR_CODES).toContain('HAZARD_REFUSED');
  });
});

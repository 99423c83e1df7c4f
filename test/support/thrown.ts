// The SwitchyardError a function throws, for tests of its code, exit code and message.
import { expect } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';

export function thrown(f: () => unknown): SwitchyardError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SwitchyardError);
    return e as SwitchyardError;
  }
  throw new Error('expected an error');
}

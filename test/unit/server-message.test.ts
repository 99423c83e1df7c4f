// A server's refusal names what it is about in DETAIL and HINT, which the pg driver keeps apart from the message.
import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/errors.js';
import { colorsFor } from '../../src/cli/io.js';
import { databaseError, serverMessage } from '../../src/errors.js';

const refusal = Object.assign(
  new Error('cannot drop column name of table customers because other objects depend on it'),
  {
    code: '2BP01',
    detail: 'view reports.names depends on column name of table customers',
    hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
  },
);

describe('serverMessage', () => {
  it('adds DETAIL and HINT to the message, once, and nothing when there are none', () => {
    expect(serverMessage(refusal)).toBe(
      'cannot drop column name of table customers because other objects depend on it\n' +
        'DETAIL: view reports.names depends on column name of table customers\n' +
        'HINT: Use DROP ... CASCADE to drop the dependent objects too.',
    );
    expect(serverMessage(new Error('plain'))).toBe('plain');
    expect(serverMessage('text')).toBe('text');
    expect(serverMessage(databaseError('dropping', refusal))).toContain('\nDETAIL: view reports.names');
    expect(serverMessage(databaseError('dropping', refusal)).match(/DETAIL/g)).toHaveLength(1);
  });

  it('is what the CLI prints for a server error, without --verbose', () => {
    let stderr = '';
    const io = { stdout: () => undefined, stderr: (t: string) => void (stderr += t), isTTY: false };
    expect(reportError(refusal, io, colorsFor(io, true), false, false)).toBe(3);
    expect(stderr).toContain('DETAIL: view reports.names depends on column name of table customers');
    expect(stderr).toContain('HINT: Use DROP ... CASCADE');
  });
});

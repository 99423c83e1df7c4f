import { describe, expect, it } from 'vitest';
import { renameColumnsIn } from '../../../src/diff/expression.js';

const renames = new Map([
  ['mail', 'email'],
  ['Old', 'new name'],
]);

describe('renameColumnsIn', () => {
  it.each([
    ['a bare reference', '(mail IS NOT NULL)', '(email IS NOT NULL)'],
    ['a quoted reference, requoted only if needed', '("Old" > 0)', '("new name" > 0)'],
    ['every occurrence', 'mail || mail', 'email || email'],
    [
      'references after new./old. in a trigger condition',
      '(new.mail IS DISTINCT FROM old.mail)',
      '(new.email IS DISTINCT FROM old.email)',
    ],
    ['not inside string literals', "(mail <> 'mail''s'::text)", "(email <> 'mail''s'::text)"],
    ['not a function of the same name', 'mail(mail)', 'mail(email)'],
    ['not a type after ::', '(x)::mail', '(x)::mail'],
    ['not a qualified type after ::', '(x)::app.mail', '(x)::app.mail'],
    ['not part of a longer name', '(mailbox = mail_id)', '(mailbox = mail_id)'],
    ['not a number exponent', '(1e5 + mail)', '(1e5 + email)'],
    ['unquoted names fold to lower case', '(MAIL > 0)', '(email > 0)'],
    ['a quoted name with different case is another name', '("Mail" > 0)', '("Mail" > 0)'],
  ])('%s', (_what, input, expected) => {
    expect(renameColumnsIn(input, renames)).toBe(expected);
  });

  it('returns the text untouched without renames', () => {
    expect(renameColumnsIn('lower(mail)', new Map())).toBe('lower(mail)');
  });
});

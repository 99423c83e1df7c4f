// Connection strings as libpq reads them: URLs and key=value strings to the same keywords; libpq's refusals
// as UsageErrors (exit 2) whose one line never shows the password.
import { describe, expect, it } from 'vitest';
import { describeTarget, withDatabase } from '../../../src/db/connect.js';
import { formatKeyValue, parseConninfo, passwordOf, withKeywords } from '../../../src/db/conninfo.js';
import { redactText, redactUrl } from '../../../src/db/redact.js';
import { thrown } from '../../support/thrown.js';

describe('parseConninfo', () => {
  it.each([
    [
      'postgres://al:s3cret@db.example:6543/app?sslmode=require',
      { host: 'db.example', port: '6543', user: 'al', password: 's3cret', dbname: 'app', sslmode: 'require' },
    ],
    [
      'postgresql://u:p%40ss@[::1]:5433/d%2Fb?options=-c%20a+b',
      { host: '::1', port: '5433', user: 'u', password: 'p@ss', dbname: 'd/b', options: '-c a+b' },
    ],
    ['postgres:///app?host=%2Fvar%2Frun%2Fpostgresql', { dbname: 'app', host: '/var/run/postgresql' }],
    ['postgres://user@/app', { user: 'user', dbname: 'app' }],
    ['postgres://db', { host: 'db' }],
    ['host=db.example port=6543 dbname=app', { host: 'db.example', port: '6543', dbname: 'app' }],
    ["  host = db   dbname='my app'  ", { host: 'db', dbname: 'my app' }],
    ["password='it\\'s a \\\\ secret' user=al\\ ice", { password: "it's a \\ secret", user: 'al ice' }],
    ["dbname='' host=x", { dbname: '', host: 'x' }],
    [
      'service=prod sslmode=verify-full sslrootcert=/etc/ca.pem',
      { service: 'prod', sslmode: 'verify-full', sslrootcert: '/etc/ca.pem' },
    ],
    ['', {}],
  ])('%s', (input, expected) => {
    expect(parseConninfo(input)).toEqual(expected);
  });

  it.each([
    [
      'postgres://u:secret@[bad',
      'the database URL postgres://u:***@[bad is not valid: it cannot be parsed (expected postgres://user:password@host:port/database?sslmode=...)',
    ],
    [
      'postgres://u:secret@h1,h2/db',
      'the database URL postgres://u:***@h1,h2/db is not valid: several hosts are not supported (expected postgres://user:password@host:port/database?sslmode=...)',
    ],
    [
      'postgres://u:secret@h/db?sslmode',
      'the database URL postgres://u:***@h/db?sslmode is not valid: the parameter "sslmode" has no value (expected postgres://user:password@host:port/database?sslmode=...)',
    ],
    ["host=h password='secret", 'the connection string host=h password=*** is not valid: unterminated quoted string'],
    [
      'host=h password=secret mydb',
      'the connection string host=h password=*** mydb is not valid: missing "=" after "mydb"',
    ],
    ['mydb', 'the connection string mydb is not valid: missing "=" after "mydb"'],
    ['host=h passwrd=secret', 'invalid connection option "passwrd" in the connection string'],
    ['postgres://h/db?ssl=true', 'invalid connection option "ssl" in the database URL'],
    [
      'host=h hostaddr=10.0.0.1',
      'connection option "hostaddr" is not supported by switchyard in the connection string',
    ],
  ])('refuses %s', (input, message) => {
    const e = thrown(() => parseConninfo(input));
    expect([e.code, e.exitCode, e.message]).toEqual(['USAGE', 2, message]);
    expect(e.message).not.toContain('secret');
    expect(e.message).not.toContain('\n');
  });
});

describe('writing connection strings back', () => {
  it('quotes what needs quoting so that libpq reads the same keywords', () => {
    const info = { host: 'h', dbname: 'my app', password: "it's \\", user: '' };
    const text = formatKeyValue(info);
    expect(text).toBe("host=h dbname='my app' password='it\\'s \\\\' user=''");
    expect(parseConninfo(text)).toEqual(info);
  });

  it.each([
    ['postgres://u:p@h:1/a?sslmode=require&options=-c%20x', 'postgres://u:p@h:1/b%20c?sslmode=require&options=-c%20x'],
    ['postgres://u:p@h/a?dbname=q', 'postgres://u:p@h/b%20c'],
    ["host=h dbname=a password='s p'", "host=h dbname='b c' password='s p'"],
    ['host=h', "host=h dbname='b c'"],
    ['postgres://u@/a', "user=u dbname='b c'"],
  ])('withDatabase(%s)', (input, expected) => {
    expect(withDatabase(input, 'b c')).toBe(expected);
    expect(parseConninfo(withDatabase(input, 'b c')).dbname).toBe('b c');
  });

  it('changes the user and drops the password in either form (the subscription conninfo)', () => {
    expect(withKeywords('postgres://app:pw@h/db?password=x', { user: 'repl', password: undefined })).toBe(
      'postgres://repl@h/db',
    );
    expect(withKeywords('host=h user=app password=pw', { user: 'repl', password: undefined })).toBe('host=h user=repl');
  });

  it('finds the password to mask in either form, and none in an unreadable string', () => {
    expect([
      passwordOf('postgres://u:p%40ss@h/d'),
      passwordOf("host=h password='a b'"),
      passwordOf("password='open"),
    ]).toEqual(['p@ss', 'a b', '']);
  });
});

describe('masking', () => {
  it.each([
    ['postgres://u:secret@h/d?sslmode=require', 'postgres://u:***@h/d?sslmode=require'],
    ['postgres://u:secret@h/d?password=secret', 'postgres://u:***@h/d?password=***'],
    ['postgres://u:se@cret@[bad', 'postgres://u:***@[bad'],
    ["host=h password='se cret' dbname=d", 'host=h password=*** dbname=d'],
    ['host=h password = se\\ cret dbname=d', 'host=h password = *** dbname=d'],
  ])('redactUrl(%s)', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('masks connection strings inside messages', () => {
    expect(redactText("could not use host=h password='a b' for postgres://u:pw@h/d")).toBe(
      'could not use host=h password=*** for postgres://u:***@h/d',
    );
  });

  it('describes a key=value target with the database override and no password', () => {
    expect(describeTarget({ url: "host=h password='se cret' dbname=a", database: 'z' })).toBe(
      'host=h password=*** dbname=z',
    );
  });
});

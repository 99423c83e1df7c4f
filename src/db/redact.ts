// Passwords never reach output, plans or logs: every URL or message that may hold one passes through here.

// `password=value` as libpq writes it: the value bare or single-quoted, `\` escaping the next character.
const KEY_VALUE_PASSWORD = /(password\s*=\s*)('(?:[^'\\]|\\.)*'?|(?:[^\s\\]|\\.)+)/gi;

/**
 * The connection string with its password replaced by `***`: a URL's user info and `password` parameter, or a
 * key=value string's `password=`. Unparseable input is masked as far as it can be read.
 */
export function redactUrl(url: string): string {
  if (!/^\s*postgres(ql)?:\/\//i.test(url)) return url.replace(KEY_VALUE_PASSWORD, '$1***');
  try {
    const u = new URL(url.trim());
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    // Up to the last `@`: a password may itself hold an unencoded `@`.
    return url.replace(/(\/\/[^:/@]*:).*@/, '$1***@').replace(/(pass\w*=)[^&\s]*/gi, '$1***');
  }
}

/** Masks every password-bearing URL and `password=...` pair inside a free-form message. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  // The user info runs to the last `@` before white space: a password may hold quotes and `@`.
  let out = text.replace(/\bpostgres(?:ql)?:\/\/[^\s/@]*:\S*@/g, (m) => m.replace(/(\/\/[^:/@]*:)\S*@$/, '$1***@'));
  out = out.replace(/\b(postgres(?:ql)?:\/\/[^\s'"]+)/g, (m) => redactUrl(m));
  out = out.replace(KEY_VALUE_PASSWORD, '$1***');
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

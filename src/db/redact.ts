// Passwords never reach output, plans or logs: every URL or message that may hold one passes through here.

/** The URL with its password replaced by `***` (unparseable input is returned with `:...@` masked). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** Masks every password-bearing URL and `password=...` pair inside a free-form message. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/\b(postgres(?:ql)?:\/\/[^\s'"]+)/g, (m) => redactUrl(m));
  out = out.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***');
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

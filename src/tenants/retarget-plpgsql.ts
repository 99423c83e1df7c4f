// The statements of a DO block, retargeted like any other statement: an anonymous block runs once, where it
// stands. PL/pgSQL's own parser (libpg-query's parsePlPgSQL) says which parts of the body are SQL; each is read
// with PostgreSQL's parser to learn which of its names are schema names. The SQL texts it gives are not verbatim
// (INTO is blanked, PERFORM becomes SELECT), so a name is placed by probing: the candidate word of the body is
// replaced by a probe name, the block parsed again, and the probe's place in the trees says what the word is.
// What PL/pgSQL reads as a name at run time (EXECUTE of a string, a variable's declared type) is refused.
import { parsePlPgSQLSync } from 'libpg-query';
import { ident } from '../db/quote.js';
import { mentions } from './mentions.js';
import { forEachNode, nameUses, type NameUse } from './parse-names.js';
import { identValue, isQualifier, tokenize } from './sql-lexer.js';
import { read, regCast, stringAsName } from './sql-readings.js';

/** `body` dollar-quoted with the tag of the literal `like`, or another tag when the body holds that tag. */
export function dollarQuote(body: string, like: string): string {
  const tag = /^\$[^$]*\$/.exec(like)?.[0] ?? '$$';
  if (!body.includes(tag)) return `${tag}${body}${tag}`;
  for (let n = 0; ; n++) {
    const t = `$sy${n}$`;
    if (!body.includes(t)) return `${t}${body}${t}`;
  }
}

interface Block {
  /** Names used by the block's SQL, in all its statements and expressions. */
  readonly uses: readonly NameUse[];
  /** Why the block cannot be retargeted whatever its names, if it cannot. */
  readonly problem: string | undefined;
  /** Declared types of its variables, as written. */
  readonly types: readonly string[];
}

/** The text after `target :=` (or `=`) of a PL/pgSQL assignment, which is an expression. */
function assigned(query: string): string {
  const at = query.indexOf(':=');
  return at >= 0 ? query.slice(at + 2) : query.slice(query.indexOf('=') + 1);
}

function analyze(body: string, from: string): Block | undefined {
  let tree: unknown;
  try {
    tree = parsePlPgSQLSync(`DO ${dollarQuote(body, '$$')}`);
  } catch {
    return undefined;
  }
  const uses: NameUse[] = [];
  const types: string[] = [];
  let problem: string | undefined;
  let unreadable = false;
  forEachNode(tree, (type, node) => {
    if (type === 'PLpgSQL_type' && typeof node.typname === 'string') types.push(node.typname);
    if (type === 'PLpgSQL_stmt_dynexecute' || type === 'PLpgSQL_stmt_dynfors' || type === 'PLpgSQL_stmt_open') {
      const dynamic = JSON.stringify(node.query ?? node.dynquery ?? '');
      if (mentions(dynamic, from)) problem ??= 'EXECUTE of a string naming the template schema in a DO block';
    }
    if (type !== 'PLpgSQL_expr' || typeof node.query !== 'string') return;
    const mode = node.parseMode;
    const reading = read(typeof mode === 'number' && mode >= 3 ? assigned(node.query) : node.query);
    if (reading === undefined) {
      unreadable = true;
      return;
    }
    uses.push(...nameUses(reading.tree));
    const strings = stringAsName(reading.tree, from);
    if (strings) problem ??= `${strings.construct}, in a DO block`;
    forEachNode(reading.tree, (t, n) => {
      const reg = regCast(t, n);
      const s = (reg?.arg?.sval as { sval?: string } | undefined)?.sval;
      if (s !== undefined && mentions(s, from))
        problem ??= `a string names the template schema in a cast to ${reg!.type} in a DO block`;
      const doBody = t === 'DoStmt' ? JSON.stringify(n.args) : '';
      if (mentions(doBody, from)) problem ??= 'a DO block inside a DO block names the template schema';
    });
  });
  return unreadable ? undefined : { uses, problem, types };
}

/**
 * The body of a PL/pgSQL DO block as a function of the new name, with every schema name `from` made that name,
 * or a refusal (`refuse` throws) naming what cannot be retargeted.
 */
export function retargetDoBody(
  body: string,
  from: string,
  refuse: (construct: string) => never,
): (to: string) => string {
  const block = analyze(body, from) ?? refuse('PostgreSQL cannot parse the DO block');
  if (block.problem) refuse(block.problem);
  if (block.types.some((t) => mentions(t, from)))
    refuse('a variable of the DO block has a type of the template schema');
  const tokens = tokenize(body);
  const names: number[] = [];
  let start = 0;
  tokens.forEach((t, i) => {
    const at = start;
    start += t.text.length;
    if (identValue(t) !== from) return;
    let probeName = 'sy_probe_name';
    while (body.includes(probeName)) probeName += '_';
    const probed = analyze(body.slice(0, at) + probeName + body.slice(at + t.text.length), from);
    // A word that cannot be a name there is a keyword (a tenant may be called like one).
    if (probed === undefined) return;
    const roles = probed.uses.filter((u) => u.name === probeName);
    if (probed.types.some((ty) => ty.includes(probeName)))
      refuse('a variable of the DO block has a type of the template schema');
    if (roles.length === 0) refuse(`PL/pgSQL does not read ${t.text} in the DO block as a name of its SQL`);
    const unknown = roles.find((u) => !u.schema && u.unknownPlace !== undefined)?.unknownPlace;
    if (unknown !== undefined && !roles.some((u) => u.schema)) {
      refuse(`the parser reads ${t.text} of the DO block in ${unknown}, a place this retargeting does not know`);
    }
    if (roles.every((u) => u.schema)) names.push(i);
    else if (roles.some((u) => u.schema))
      refuse(`${t.text} in the DO block is read both as a schema and as another name`);
    else if (isQualifier(tokens, i))
      refuse(`${t.text} in the DO block qualifies a name where the parse tree shows no schema`);
  });
  if (names.length !== block.uses.filter((u) => u.schema && u.name === from).length)
    refuse('a schema name of the DO block could not be placed in its text');
  return (to) => {
    const out = tokens.map((t) => t.text);
    for (const i of names) out[i] = ident(to);
    return out.join('');
  };
}

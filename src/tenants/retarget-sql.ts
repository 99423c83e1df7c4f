// A template text made a tenant's: every schema name `from` in it becomes `to`, and what cannot be retargeted
// safely is refused, naming it. PostgreSQL's parser (libpg-query) decides which words are schema names; the text
// is then rewritten in place, word by word (there is no deparser, and the text is what reviewers read). A word
// spelling the template is replaced by a probe name and the text parsed again: where the probe lands in the tree
// (parse-names.ts) says whether the word is a schema name. The tree's own count of schema names must equal the
// words replaced, so a name the rewrite did not find is refused rather than left pointing at the template.
// Strings change only where the tree shows they are a schema name (search_path, a reg* cast literal, which
// PostgreSQL stores for `nextval('s'::regclass)` defaults); any other string is data and is kept, unless a
// function is known to read it as a name or SQL (set_config of search_path, format, to_regclass...): refused.
// Function bodies are kept (split.ts refuses a body that names the template); DO blocks are retargeted.
import { ident, literal } from '../db/quote.js';
import { mayName, mentions } from './mentions.js';
import { forEachNode, nameUses, type NameUse, type Tree } from './parse-names.js';
import { dollarQuote, retargetDoBody } from './retarget-plpgsql.js';
import { identValue, isQualifier, isTrivia, stringValue, tokenize, type Token } from './sql-lexer.js';
import { parseTree, read, regCast, RetargetRefusedError, stringAsName } from './sql-readings.js';

/** The words of a text with their offsets in characters, and an index from byte offsets (the tree's) to words. */
function words(text: string): { tokens: Token[]; starts: number[]; atByte: Map<number, number> } {
  const tokens = tokenize(text);
  const starts: number[] = [];
  const atByte = new Map<number, number>();
  let chars = 0;
  let bytes = 0;
  tokens.forEach((t, i) => {
    starts.push(chars);
    atByte.set(bytes, i);
    chars += t.text.length;
    bytes += Buffer.byteLength(t.text, 'utf8');
  });
  return { tokens, starts, atByte };
}

function charAtByte(text: string, bytes: number): number {
  return Buffer.from(text, 'utf8').subarray(0, bytes).toString('utf8').length;
}

type Role =
  | { readonly kind: 'schema' | 'other' | 'both' | 'lost' }
  /** The word cannot be a name there: a keyword (a tenant may be called like one). */
  | { readonly kind: 'keyword' }
  /** Another name, in a node field not known to hold no schema. */
  | { readonly kind: 'unknown'; readonly place: string };

/** A probe name that `text` does not hold. */
function probeName(text: string): string {
  let name = 'sy_probe_name';
  while (text.includes(name)) name += '_';
  return name;
}

function roleOf(uses: readonly NameUse[], name: string): Role {
  const roles = uses.filter((u) => u.name === name);
  if (roles.length === 0) return { kind: 'lost' };
  if (roles.every((u) => u.schema)) return { kind: 'schema' };
  if (roles.some((u) => u.schema)) return { kind: 'both' };
  const place = roles.find((u) => u.unknownPlace !== undefined)?.unknownPlace;
  return place === undefined ? { kind: 'other' } : { kind: 'unknown', place };
}

/**
 * The roles of the words at `spans` ([start, length]): the text parsed again with a distinct probe name in place
 * of each. One parse for all; when that fails, one word was a keyword, so each is probed alone.
 */
function probe(text: string, spans: ReadonlyArray<readonly [number, number]>): Role[] {
  const base = probeName(text);
  const names = spans.map((_, k) => `${base}_${k}`);
  const withProbes = (picked: readonly number[]) => {
    let out = '';
    let copied = 0;
    for (const k of picked) {
      const [start, length] = spans[k]!;
      out += text.slice(copied, start) + names[k];
      copied = start + length;
    }
    return out + text.slice(copied);
  };
  const all = parseTree(withProbes(spans.map((_, k) => k)));
  if (all !== undefined) {
    const uses = nameUses(all);
    return names.map((n) => roleOf(uses, n));
  }
  return names.map((n, k) => {
    const tree = parseTree(withProbes([k]));
    return tree === undefined ? { kind: 'keyword' } : roleOf(nameUses(tree), n);
  });
}

/** The text of a reg* cast literal as a function of the new name (undefined: the literal is kept). */
function regLiteral(
  type: string,
  content: string,
  from: string,
  refuse: (construct: string) => never,
): (to: string) => string | undefined {
  if (type === 'regnamespace') {
    const parts = tokenize(content).filter((t) => !isTrivia(t));
    if (parts.length === 1 && identValue(parts[0]!) === from) return (to) => literal(ident(to));
    return refuse('a regnamespace literal names the template schema but is not its name');
  }
  const inner = compile(content, from);
  return (to) => {
    const renamed = inner(to);
    return renamed === content ? undefined : literal(renamed);
  };
}

type Retarget = (to: string) => string;

// Plans retarget the same texts for every tenant: what a text's names are is worked out once per text.
const compiled = new Map<string, Retarget>();
const CACHE_LIMIT = 10_000;

/** SQL text (statements, or an expression, a type or an argument list) with schema `from` made `to`. */
export function retargetSql(sql: string, from: string, to: string): string {
  if (from === to) return sql;
  return compile(sql, from)(to);
}

function compile(sql: string, from: string): Retarget {
  const key = `${from}\u0000${sql}`;
  let retarget = compiled.get(key);
  if (retarget === undefined) {
    try {
      retarget = analyze(sql, from);
    } catch (e) {
      retarget = () => {
        throw e;
      };
    }
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    compiled.set(key, retarget);
  }
  return retarget;
}

function analyze(sql: string, from: string): Retarget {
  if (!mayName(sql, from)) return () => sql;
  const reading = read(sql);
  if (reading === undefined) {
    if (!mentions(sql, from)) return () => sql;
    throw new RetargetRefusedError(from, 'PostgreSQL cannot parse it, so its names cannot be told apart', sql);
  }
  const { text, prefix, suffix, tree } = reading;
  const refuse = (construct: string, at?: number): never => {
    throw new RetargetRefusedError(
      from,
      construct,
      sql,
      at === undefined ? undefined : Math.max(1, at - prefix.length + 1),
    );
  };
  const problem = stringAsName(tree, from);
  if (problem)
    refuse(problem.construct, problem.location === undefined ? undefined : charAtByte(text, problem.location));
  const { tokens, starts, atByte } = words(text);
  /** Token index and its new text as a function of the new name (undefined: kept). */
  const edits: Array<[number, (to: string) => string | undefined]> = [];
  let renamed = 0;
  const candidates = tokens.flatMap((t, i) => {
    const start = starts[i]!;
    return start >= prefix.length && start < text.length - suffix.length && identValue(t) === from ? [i] : [];
  });
  const roles = probe(
    text,
    candidates.map((i) => [starts[i]!, tokens[i]!.text.length] as const),
  );
  // biome-ignore lint/suspicious/useIterableCallbackReturn: refuse() throws; its value is never used
  candidates.forEach((i, k) => {
    const t = tokens[i]!;
    const start = starts[i]!;
    const role = roles[k]!;
    switch (role.kind) {
      case 'schema':
        edits.push([i, (to) => ident(to)]);
        renamed++;
        break;
      case 'lost':
        return refuse(`the parser does not read ${t.text} as a name`, start);
      case 'both':
        return refuse(`${t.text} is read both as a schema and as another name`, start);
      case 'unknown':
        return refuse(`the parser reads ${t.text} in ${role.place}, a place this retargeting does not know`, start);
      case 'other':
        // A qualifier in the text that the tree holds as another name is a place parse-names.ts does not know.
        if (isQualifier(tokens, i)) refuse(`${t.text} qualifies a name where the parse tree shows no schema`, start);
        break;
      case 'keyword':
        break;
    }
  });
  // Strings and DO bodies the tree locates (byte offsets of the wrapped text).
  const tokenAt = (location: unknown): number | undefined =>
    typeof location === 'number' ? atByte.get(location) : undefined;
  forEachNode(tree, (type, node) => {
    if (type === 'VariableSetStmt' && node.name === 'search_path') {
      for (const a of (node.args as { A_Const?: Tree }[] | undefined) ?? []) {
        const i = tokenAt(a.A_Const?.location);
        const t = i === undefined ? undefined : tokens[i]!;
        if (t !== undefined && t.kind === 'string' && stringValue(t) === from) {
          edits.push([i!, (to) => literal(to)]);
          renamed++;
        }
      }
    }
    const reg = regCast(type, node);
    const content = (reg?.arg?.sval as { sval?: string } | undefined)?.sval;
    if (reg && content !== undefined && mentions(content, from)) {
      const location = reg.arg!.location;
      const i = tokenAt(location);
      if (i === undefined || stringValue(tokens[i]!) !== content) {
        refuse(
          `a string names the template schema in a cast to ${reg.type} and is not a plain '...' constant`,
          charAtByte(text, Number(location)),
        );
      }
      edits.push([i!, regLiteral(reg.type, content, from, (c) => refuse(c, charAtByte(text, Number(location))))]);
    }
    if (type === 'DoStmt') {
      const edit = retargetDo(node, tokens, tokenAt, text, from, refuse);
      if (edit) edits.push(edit);
    }
  });
  if (renamed !== nameUses(tree).filter((u) => u.schema && u.name === from).length)
    refuse('a schema name the parser sees could not be placed in the text');
  if (edits.length === 0) return () => sql;
  return (to) => {
    const out = tokens.map((t) => t.text);
    for (const [i, edit] of edits) out[i] = edit(to) ?? out[i]!;
    const result = out.join('');
    return result.slice(prefix.length, result.length - suffix.length);
  };
}

/** The edit of a DO block's body, when it names the template; refused unless it is dollar-quoted PL/pgSQL. */
function retargetDo(
  node: Tree,
  tokens: readonly Token[],
  tokenAt: (location: unknown) => number | undefined,
  text: string,
  from: string,
  refuse: (construct: string, at?: number) => never,
): [number, (to: string) => string] | undefined {
  const options = ((node.args as { DefElem?: Tree }[] | undefined) ?? []).map((a) => a.DefElem ?? {});
  const as = options.find((o) => o.defname === 'as');
  const language = (options.find((o) => o.defname === 'language')?.arg as { String?: { sval?: string } } | undefined)
    ?.String?.sval;
  const body = (as?.arg as { String?: { sval?: string } } | undefined)?.String?.sval ?? '';
  if (!mentions(body, from)) return undefined;
  const i = tokenAt(as?.location);
  const at = typeof as?.location === 'number' ? charAtByte(text, as.location) : undefined;
  const t = i === undefined ? undefined : tokens[i]!;
  if (language !== undefined && language.toLowerCase() !== 'plpgsql')
    refuse(`a DO block in language ${language} names the template schema`, at);
  if (t === undefined || t.kind !== 'dollar')
    refuse('a DO block whose body is a string constant (not dollar-quoted) names the template schema', at);
  const retarget = retargetDoBody(body, from, (construct) => refuse(construct, at));
  return [i!, (to) => dollarQuote(retarget(to), t!.text)];
}

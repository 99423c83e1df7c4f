// Declared SQL, read with PostgreSQL's own parser (libpg-query: the server's grammar compiled to WebAssembly).
// Every SQL text in a declared file is accepted only as exactly what its field means: one expression, one
// CREATE FUNCTION of the declared name, one SELECT, one INSERT. A text that closes the parenthesis it is
// rendered into and starts a second statement (`'x'); CREATE ROLE intruder; ...`) is refused here, at
// `validate`, and never reaches a server. No hand-written recognizer: what counts as a statement, a string or a
// comment is what PostgreSQL says.
import { loadModule, parseSync } from 'libpg-query';

await loadModule();

/** Why a text is not what its field means, with the 1-based character in the text where it goes wrong. */
export interface SqlTextProblem {
  readonly message: string;
  readonly at?: number;
}

type Node = Record<string, unknown>;

/** libpg-query counts in UTF-8 bytes; messages and slices count in characters. */
function chars(text: string, bytes: number): number {
  return Buffer.from(text, 'utf8').subarray(0, Math.max(0, bytes)).toString('utf8').length;
}

const PREFIX = 'SELECT (\n';
const SUFFIX = '\n)';

/** Statements that change data, and clauses that create or lock: none belongs inside a declared expression. */
const WRITES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const FORBIDDEN_CLAUSES: Readonly<Record<string, string>> = {
  intoClause: 'SELECT ... INTO (it creates a table)',
  lockingClause: 'FOR UPDATE / FOR SHARE (it locks rows)',
};

/** A short, one-line excerpt of `text` starting at offset `from`. */
function excerpt(text: string, from: number): string {
  const s = text.slice(from).replace(/\s+/g, ' ').trim();
  return s.length > 48 ? `${s.slice(0, 45)}...` : s;
}

function parse(
  sql: string,
): { stmts: Array<{ stmt: Node; stmt_location?: number }> } | { error: string; cursor?: number } {
  try {
    const tree = parseSync(sql) as unknown as { stmts?: Array<{ stmt: Node; stmt_location?: number }> };
    return { stmts: tree.stmts ?? [] };
  } catch (e) {
    // cursorPosition counts characters from 0 (unlike the byte offsets of tokens and statements).
    const details = (e as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    return {
      error: (e as Error).message.replace(/\s+/g, ' '),
      ...(details?.cursorPosition !== undefined ? { cursor: details.cursorPosition } : {}),
    };
  }
}

/** The first node type or clause in `tree` (depth first) that `bad` picks, with its name. */
function findNode(tree: unknown, bad: (key: string) => string | undefined): string | undefined {
  if (Array.isArray(tree)) {
    for (const v of tree) {
      const hit = findNode(v, bad);
      if (hit) return hit;
    }
    return undefined;
  }
  if (tree === null || typeof tree !== 'object') return undefined;
  for (const [k, v] of Object.entries(tree)) {
    const hit = bad(k) ?? findNode(v, bad);
    if (hit) return hit;
  }
  return undefined;
}

const writesOrClauses = (key: string): string | undefined =>
  WRITES.has(key) ? `a data-changing statement (${key.replace(/Stmt$/, '').toUpperCase()})` : FORBIDDEN_CLAUSES[key];

/** In an expression also no parameter: in a backfill batch `$1` would read switchyard's own bind values. */
const inExpression = (key: string): string | undefined =>
  key === 'ParamRef' ? 'a parameter ($1...)' : writesOrClauses(key);

/** Languages whose functions run native code or reach outside the server: never built from a declared file. */
const UNSAFE_LANGUAGES = /^(c|internal|\w+u)$/i;

/** Where the second statement of `text` starts, as a 1-based character of `text` (parsed with `offset` before it). */
function secondStatement(
  text: string,
  stmts: ReadonlyArray<{ stmt_location?: number }>,
  offset: number,
): SqlTextProblem {
  const raw = chars(text, (stmts[1]?.stmt_location ?? 0) - offset);
  const start = Math.max(
    0,
    raw + (text.slice(Math.max(0, raw)).length - text.slice(Math.max(0, raw)).trimStart().length),
  );
  return { message: `a second statement starts at character ${start + 1}: \`${excerpt(text, start)}\``, at: start + 1 };
}

/** A NUL ends a C string: the parser would see less text than the server is sent. */
function nul(text: string): SqlTextProblem | undefined {
  const i = text.indexOf('\0');
  return i < 0 ? undefined : { message: `a NUL character (U+0000) at character ${i + 1}`, at: i + 1 };
}

/** `sql` (the text at `offset`) must be one SELECT of one unnamed value and nothing else. */
function oneValue(sql: string, offset: number, text: string): SqlTextProblem | { value: unknown } {
  const parsed = parse(sql);
  if ('error' in parsed) {
    const at =
      parsed.cursor !== undefined ? Math.min(Math.max(1, parsed.cursor - offset + 1), text.length + 1) : undefined;
    return {
      message: `not a single SQL expression: ${parsed.error}${at !== undefined ? ` (at character ${at})` : ''}`,
      ...(at ? { at } : {}),
    };
  }
  if (parsed.stmts.length !== 1) return secondStatement(text, parsed.stmts, offset);
  const select = parsed.stmts[0]!.stmt.SelectStmt as Node | undefined;
  const extra = select ? Object.keys(select).filter((k) => !['targetList', 'limitOption', 'op'].includes(k)) : [];
  const targets = (select?.targetList as Node[] | undefined) ?? [];
  if (select?.op !== 'SETOP_NONE' || extra.length > 0 || targets.length !== 1) {
    return {
      message: `not a single SQL expression: the text adds ${targets.length > 1 ? 'a second value' : `a clause (${extra[0] ?? String(select?.op)})`} after it`,
    };
  }
  const target = targets[0]!.ResTarget as Node | undefined;
  if (!target || target.name !== undefined)
    return { message: 'not a single SQL expression: it names its value (AS ...)' };
  return { value: target.val };
}

/** Exactly one value expression (defaults, checks, index keys and predicates, up/down/backfill, WHEN). */
export function expressionProblem(text: string): SqlTextProblem | undefined {
  const zero = nul(text);
  if (zero) return zero;
  const wrapped = oneValue(PREFIX + text + SUFFIX, PREFIX.length, text);
  if (!('value' in wrapped)) return wrapped;
  // In parentheses, a text can close ours and open its own (`1) + (2`), which rendered inline closes the
  // statement's. Bare, it cannot: the same text must also be one value on its own.
  const bare = oneValue(`SELECT\n${text}\n`, 7, text);
  if (!('value' in bare))
    return {
      message: `not a single SQL expression on its own (its parentheses do not balance, or it ends a clause): \`${excerpt(text, 0)}\``,
    };
  const bad = findNode(wrapped.value, inExpression);
  return bad ? { message: `an expression may not contain ${bad}` } : undefined;
}

/** Exactly one statement of `kind` (a SelectStmt for a query, an InsertStmt for `tenants.register`). */
export function statementProblem(text: string, kind: 'SelectStmt' | 'InsertStmt'): SqlTextProblem | undefined {
  const zero = nul(text);
  if (zero) return zero;
  const parsed = parse(text);
  const what = kind === 'SelectStmt' ? 'SELECT' : 'INSERT';
  if ('error' in parsed)
    return {
      message: `not a valid ${what}: ${parsed.error}`,
      ...(parsed.cursor !== undefined ? { at: parsed.cursor + 1 } : {}),
    };
  if (parsed.stmts.length === 0) return { message: `no statement: expected one ${what}` };
  if (parsed.stmts.length > 1) return secondStatement(text, parsed.stmts, 0);
  const stmt = parsed.stmts[0]!.stmt;
  const found = Object.keys(stmt)[0] ?? 'nothing';
  if (found !== kind) return { message: `expected one ${what}, found ${found.replace(/Stmt$/, '').toUpperCase()}` };
  const body = stmt[kind] as Node;
  const bad =
    kind === 'InsertStmt'
      ? findNode(body, (k) => (k !== 'InsertStmt' ? writesOrClauses(k) : undefined))
      : findNode(body, inExpression);
  return bad ? { message: `the ${what} may not contain ${bad}` } : undefined;
}

const names = (list: unknown): string[] =>
  ((list as Node[] | undefined) ?? []).map((n) => String((n.String as Node | undefined)?.sval ?? ''));

/** Exactly one CREATE [OR REPLACE] FUNCTION of `schema.name` (not a procedure, nothing after it). */
export function functionProblem(text: string, schema: string, name: string): SqlTextProblem | undefined {
  const zero = nul(text);
  if (zero) return zero;
  const parsed = parse(text);
  if ('error' in parsed)
    return {
      message: `not a valid CREATE FUNCTION: ${parsed.error}`,
      ...(parsed.cursor !== undefined ? { at: parsed.cursor + 1 } : {}),
    };
  if (parsed.stmts.length === 0) return { message: 'no statement: expected one CREATE FUNCTION' };
  if (parsed.stmts.length > 1) return secondStatement(text, parsed.stmts, 0);
  const fn = parsed.stmts[0]!.stmt.CreateFunctionStmt as Node | undefined;
  if (!fn)
    return {
      message: `expected one CREATE FUNCTION, found ${(Object.keys(parsed.stmts[0]!.stmt)[0] ?? '').replace(/Stmt$/, '').toUpperCase()}`,
    };
  if (fn.is_procedure) return { message: 'expected a CREATE FUNCTION, found CREATE PROCEDURE' };
  const language = ((fn.options as Node[] | undefined) ?? [])
    .map((o) => o.DefElem as { defname?: string; arg?: { String?: { sval?: string } } } | undefined)
    .find((d) => d?.defname === 'language')?.arg?.String?.sval;
  if (language && UNSAFE_LANGUAGES.test(language)) {
    return {
      message: `the function is LANGUAGE ${language}, which runs native code or reaches outside the server, and creating it loads or checks that code: switchyard builds only trusted languages (sql, plpgsql...)`,
    };
  }
  const parts = names(fn.funcname);
  const declared = parts.length === 1 ? [schema, parts[0]] : parts;
  if (parts.length === 1 && schema !== 'public') {
    return {
      message: `the definition creates \`${parts[0]}\` without a schema, so it would land in the search_path, not in ${schema}`,
      at: 1,
    };
  }
  if (declared.length !== 2 || declared[0] !== schema || declared[1] !== name) {
    return { message: `the definition creates \`${parts.join('.')}\`, but the entry declares \`${schema}.${name}\`` };
  }
  return undefined;
}

/**
 * An expression as it is rendered inline (`DEFAULT <expr> NOT NULL`): trimmed, and ending in a newline when
 * its last line is a `-- comment`, which would otherwise swallow the rest of the statement. The parser tells:
 * one that ends in a line comment parses only with a newline before the closing parenthesis.
 */
export function inlineExpression(text: string): string {
  const t = text.trim();
  if (!t.includes('--')) return t;
  return 'error' in parse(`SELECT (${t})`) && !('error' in parse(PREFIX + t + SUFFIX)) ? `${t}\n` : t;
}

/** One statement of a raw SQL step, as it will be sent (one per call). */
export interface RawStatement {
  readonly sql: string;
  /** False for statements PostgreSQL refuses inside a transaction block: they run alone. */
  readonly transactional: boolean;
}

/** Settings whose change outlives the statement or reaches other sessions. */
const SESSION_ESCAPES: Readonly<Record<string, string>> = {
  role: 'SET ROLE (it switches the role of the session every later step runs in)',
  session_authorization: 'SET SESSION AUTHORIZATION (it switches the role of the session every later step runs in)',
};

/** Why a parsed statement may not be a raw SQL step, or undefined. */
function refusedStatement(stmt: Node): string | undefined {
  const [kind, body] = Object.entries(stmt)[0] as [string, Node];
  switch (kind) {
    case 'TransactionStmt':
      return `transaction control (${String(body.kind)
        .replace(/^TRANS_STMT_/, '')
        .replace(/_/g, ' ')}): every step runs in the transaction switchyard opens for it, with its ledger row`;
    case 'CopyStmt':
      if (body.is_program) return 'COPY ... PROGRAM (it runs a program on the database server)';
      if (body.filename !== undefined)
        return 'COPY with a file name (it reads or writes a file on the database server)';
      return 'COPY ... STDIN/STDOUT (switchyard sends no COPY data; load data with INSERT ... SELECT)';
    case 'VariableSetStmt': {
      const name = String(body.name ?? '');
      if (SESSION_ESCAPES[name]) return SESSION_ESCAPES[name];
      if (body.kind === 'VAR_RESET_ALL') return 'RESET ALL (it resets the timeouts switchyard set for the session)';
      return `${body.is_local ? 'SET LOCAL' : body.kind === 'VAR_RESET' ? 'RESET' : 'SET'} ${name} (settings of the session switchyard runs every step in are switchyard's: set them on a role, a function or inside the statement)`;
    }
    case 'VariableShowStmt':
      return 'SHOW (it changes nothing)';
    case 'DiscardStmt':
      return 'DISCARD (it resets the session switchyard runs every step in)';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM (it changes the configuration of the whole server)';
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterDatabaseStmt':
      return `${kind.replace(/Stmt$/, '')} (it reaches beyond the database the plan is for)`;
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
      return 'a tablespace statement (it reaches the server\u2019s file system)';
    case 'LoadStmt':
      return 'LOAD (it loads a shared library into the server)';
    case 'PrepareStmt':
    case 'DeallocateStmt':
    case 'ListenStmt':
    case 'UnlistenStmt':
      return `${kind.replace(/Stmt$/, '').toUpperCase()} (it changes the session every later step runs in)`;
    default:
      if (callsSetConfig(body)) return 'set_config() (it changes a setting of the session every later step runs in)';
      return findNode(body, (k) => (k === 'ParamRef' ? 'a parameter ($1...): switchyard binds no values' : undefined));
  }
}

/** Whether a tree calls set_config (any schema), which changes a setting past the statement. */
function callsSetConfig(tree: unknown): boolean {
  if (Array.isArray(tree)) return tree.some(callsSetConfig);
  if (tree === null || typeof tree !== 'object') return false;
  const call = (tree as Node).FuncCall as Node | undefined;
  if (call && names(call.funcname).at(-1) === 'set_config') return true;
  return Object.values(tree).some(callsSetConfig);
}

/** Whether PostgreSQL refuses the statement inside a transaction block. */
function mustBeAlone(stmt: Node): boolean {
  const [kind, body] = Object.entries(stmt)[0] as [string, Node];
  if (kind === 'IndexStmt' || kind === 'DropStmt') return body.concurrent === true;
  if (kind === 'ReindexStmt')
    return ((body.params as Node[] | undefined) ?? []).some(
      (p) => (p.DefElem as Node | undefined)?.defname === 'concurrently',
    );
  if (kind === 'VacuumStmt') return body.is_vacuumcmd === true;
  if (kind === 'CreateSubscriptionStmt' || kind === 'DropSubscriptionStmt') return true;
  // ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY
  if (kind === 'AlterTableStmt') return JSON.stringify(body.cmds ?? []).includes('"concurrent":true');
  return false;
}

/**
 * The statements of a raw SQL text, each as it will be sent, or why the text is refused: unparseable text,
 * `\` meta-commands, transaction control, COPY, and statements that change the session every later step runs
 * in or reach beyond the database. `k` in messages counts statements from 1.
 */
export function rawStatements(text: string): { statements: RawStatement[] } | { problems: SqlTextProblem[] } {
  const zero = nul(text);
  if (zero) return { problems: [zero] };
  const meta = /^[ \t]*(\\\S*)/m.exec(text);
  if (meta)
    return {
      problems: [
        {
          message: `a psql meta-command (\`${meta[1]}\`) at line ${text.slice(0, meta.index).split('\n').length}: switchyard sends SQL to the server, there is no psql`,
        },
      ],
    };
  const parsed = parse(text);
  if ('error' in parsed)
    return {
      problems: [
        {
          message: `not valid SQL: ${parsed.error}${parsed.cursor !== undefined ? ` (at character ${parsed.cursor + 1})` : ''}`,
          ...(parsed.cursor !== undefined ? { at: parsed.cursor + 1 } : {}),
        },
      ],
    };
  if (parsed.stmts.length === 0) return { problems: [{ message: 'no statement (only comments or semicolons)' }] };
  const bytes = Buffer.from(text, 'utf8');
  const problems: SqlTextProblem[] = [];
  const statements: RawStatement[] = [];
  const many = parsed.stmts.length > 1;
  parsed.stmts.forEach((s, i) => {
    const from = s.stmt_location ?? 0;
    const len = (s as { stmt_len?: number }).stmt_len;
    let sql = bytes
      .subarray(from, len ? from + len : bytes.length)
      .toString('utf8')
      .trim()
      .replace(/;$/, '')
      .trim();
    // A last line comment would swallow the `;` the SQL files put after the statement.
    if (/--[^\n]*$/.test(sql)) sql = `${sql}\n`;
    const refused = refusedStatement(s.stmt);
    const start = chars(text, from);
    const lead = text.slice(start).length - text.slice(start).trimStart().length;
    const line = text.slice(0, start + lead).split('\n').length;
    if (refused)
      problems.push({
        message: `${many ? `statement ${i + 1} (line ${line}): ` : ''}${refused}: \`${excerpt(sql, 0)}\``,
      });
    statements.push({ sql, transactional: !mustBeAlone(s.stmt) });
  });
  return problems.length ? { problems } : { statements };
}

/**
 * The relations a query names (`FROM s.t`, joins, subqueries), as [schema or undefined, name] pairs, in the
 * order they appear; names of its own WITH queries are left out. Unparsable text names nothing.
 */
export function relationsNamed(text: string): Array<readonly [string | undefined, string]> {
  const parsed = parse(text);
  if ('error' in parsed) return [];
  const ctes = new Set<string>();
  const out: Array<readonly [string | undefined, string]> = [];
  const walk = (tree: unknown): void => {
    if (Array.isArray(tree)) {
      for (const v of tree) walk(v);
      return;
    }
    if (tree === null || typeof tree !== 'object') return;
    for (const [k, v] of Object.entries(tree as Node)) {
      if (k === 'CommonTableExpr') ctes.add(String((v as Node).ctename ?? ''));
      if (k === 'RangeVar') {
        const r = v as Node;
        const schema = r.schemaname === undefined ? undefined : String(r.schemaname);
        out.push([schema, String(r.relname ?? '')]);
      }
      walk(v);
    }
  };
  walk(parsed.stmts);
  return out.filter(([s, n]) => s !== undefined || !ctes.has(n));
}

/**
 * Exactly one type name, as a column definition takes it: `public.descr_type`, `information_schema.cardinal_number`,
 * `geometry(Point,4326)[]`. Parsed as the one column of a CREATE TABLE, which must hold nothing but its type (no
 * COLLATE, no constraint, no second column or statement). Whether the type exists is for a server to say.
 */
export function typeProblem(text: string): SqlTextProblem | undefined {
  const zero = nul(text);
  if (zero) return zero;
  const parsed = parse(`CREATE TABLE t (c ${text})`);
  if ('error' in parsed) return { message: `not a type name: ${parsed.error}` };
  const stmt = parsed.stmts.length === 1 ? (parsed.stmts[0]!.stmt.CreateStmt as Node | undefined) : undefined;
  const elts = (stmt?.tableElts as Node[] | undefined) ?? [];
  const def = elts.length === 1 ? (elts[0]!.ColumnDef as Node | undefined) : undefined;
  // Everything but the type must be what `CREATE TABLE t (c int)` gives: a text cannot close the column list.
  const { typeName, location: _at, ...column } = def ?? {};
  const { tableElts: _elts, ...table } = stmt ?? {};
  if (!def || typeName === undefined || JSON.stringify([column, table]) !== PLAIN_COLUMN)
    return { message: 'not a single type name: the text adds a clause to the type' };
  return undefined;
}

const PLAIN_COLUMN = (() => {
  const stmt = (parseSync('CREATE TABLE t (c int)') as unknown as { stmts: Array<{ stmt: Node }> }).stmts[0]!.stmt
    .CreateStmt as Node;
  const { tableElts, ...table } = stmt;
  const { typeName: _t, location: _at, ...column } = (tableElts as Node[])[0]!.ColumnDef as Node;
  return JSON.stringify([column, table]);
})();

/**
 * Exactly one exclusion constraint, as written after `ADD CONSTRAINT name`: `EXCLUDE USING gist (r WITH &&)`,
 * with its WHERE and DEFERRABLE if any. Parsed as the one command of an ALTER TABLE, which must add nothing else.
 */
export function exclusionProblem(text: string): SqlTextProblem | undefined {
  const zero = nul(text);
  if (zero) return zero;
  const parsed = parse(`ALTER TABLE t ADD CONSTRAINT c ${text}`);
  if ('error' in parsed) return { message: `not an exclusion constraint: ${parsed.error}` };
  const stmt = parsed.stmts.length === 1 ? (parsed.stmts[0]!.stmt.AlterTableStmt as Node | undefined) : undefined;
  const cmds = (stmt?.cmds as Node[] | undefined) ?? [];
  const cmd = cmds.length === 1 ? (cmds[0]!.AlterTableCmd as Node | undefined) : undefined;
  const constraint = (cmd?.def as Node | undefined)?.Constraint as Node | undefined;
  if (cmd?.subtype !== 'AT_AddConstraint' || constraint?.contype !== 'CONSTR_EXCLUSION')
    return {
      message: 'not a single exclusion constraint: write `EXCLUDE USING <method> (<element> WITH <operator>, ...)`',
    };
  const bad = findNode(constraint, (k) => (k === 'ParamRef' ? 'a parameter ($1...)' : writesOrClauses(k)));
  return bad ? { message: `an exclusion constraint may not contain ${bad}` } : undefined;
}

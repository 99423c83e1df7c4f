// The one place identifiers and literals become SQL text. Every name in generated SQL goes through here.

// Keywords that PostgreSQL's quote_ident() quotes: reserved, type/function-name and column-name keywords
// (pg_get_keywords() catcode R, T, C). Unreserved keywords are valid bare identifiers.
const KEYWORDS = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'current_catalog current_date current_role current_time current_timestamp current_user default deferrable ' +
    'desc distinct do else end except false fetch for foreign from grant group having in initially intersect ' +
    'into lateral leading limit localtime localtimestamp not null offset on only or order placing primary ' +
    'references returning select session_user some symmetric system_user table then to trailing true union ' +
    'unique user using variadic when where window with ' +
    'authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull join ' +
    'left like natural notnull outer overlaps right similar tablesample verbose ' +
    'between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping ' +
    'inout int integer interval json json_array json_arrayagg json_exists json_object json_objectagg ' +
    'json_query json_scalar json_serialize json_table json_value least merge_action national nchar none ' +
    'normalize nullif numeric out overlay position precision real row setof smallint substring time timestamp ' +
    'treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse ' +
    'xmlpi xmlroot xmlserialize xmltable'
  ).split(' '),
);

const BARE = /^[a-z_][a-z0-9_]*$/;

/** Quotes an identifier exactly when PostgreSQL's quote_ident() would. */
export function ident(name: string): string {
  if (name.includes('\0')) throw new TypeError('identifier contains a NUL byte');
  if (BARE.test(name) && !KEYWORDS.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.name`, each part quoted. */
export function qualified(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

/** A string literal; standard_conforming_strings is on in every supported version, so only ' doubles. */
export function literal(value: string): string {
  if (value.includes('\0')) throw new TypeError('string literal contains a NUL byte');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A comma-separated list of quoted identifiers. */
export function identList(names: readonly string[]): string {
  return names.map(ident).join(', ');
}

/** Byte length of an identifier as PostgreSQL counts it (NAMEDATALEN - 1 = 63 is the limit). */
export function identifierBytes(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

export const MAX_IDENTIFIER_BYTES = 63;

/**
 * `sql` with every '...' and E'...' string, "..." identifier, -- and /* *\/ comment replaced by a space.
 * Dollar-quoted bodies are kept: a DO block is code.
 */
export function withoutLiterals(sql: string): string {
  return sql.replace(
    /(?<![A-Za-z0-9_])[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g,
    ' ',
  );
}

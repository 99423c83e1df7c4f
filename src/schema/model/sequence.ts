// Sequence defaults as CREATE SEQUENCE fills them in, so that a declared `{ start: 1000 }` and an
// introspected sequence with every field spelled out are the same model.

const TYPE_RANGE: Readonly<Record<'smallint' | 'integer' | 'bigint', readonly [bigint, bigint]>> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

export interface SequenceBounds {
  readonly start: bigint;
  readonly increment: bigint;
  readonly min: bigint;
  readonly max: bigint;
  readonly cache: bigint;
  readonly typeMin: bigint;
  readonly typeMax: bigint;
}

interface SequenceFields {
  readonly start?: string | undefined;
  readonly increment?: string | undefined;
  readonly min?: string | undefined;
  readonly max?: string | undefined;
  readonly cache?: string | undefined;
}

/** Every field with PostgreSQL's default: ascending sequences run 1..type max, descending type min..-1. */
export function sequenceBounds(type: 'smallint' | 'integer' | 'bigint', s: SequenceFields): SequenceBounds {
  const [typeMin, typeMax] = TYPE_RANGE[type];
  const increment = s.increment === undefined ? 1n : BigInt(s.increment);
  const ascending = increment >= 0n;
  const min = s.min === undefined ? (ascending ? 1n : typeMin) : BigInt(s.min);
  const max = s.max === undefined ? (ascending ? typeMax : -1n) : BigInt(s.max);
  const start = s.start === undefined ? (ascending ? min : max) : BigInt(s.start);
  const cache = s.cache === undefined ? 1n : BigInt(s.cache);
  return { start, increment, min, max, cache, typeMin, typeMax };
}

// The tree the emitter writes: maps, sequences and scalars with the layout choices the yaml library's nodes
// carried (flow or block, a blank line before a key), plus flow collections already written out on one line.

export type YamlValue = string | number | boolean | YamlMap | YamlSeq | YamlInline;

export interface YamlPair {
  readonly key: string;
  /**
   * The value, or how to build it when it is written: entries of named mappings are built one at a time, so
   * that a table's tree is garbage as soon as its text is out.
   */
  readonly value: YamlValue | (() => YamlValue);
  /** A blank line before this entry, never the first (entries of `tables:` and `schemas:`); block mappings only. */
  readonly spaceBefore: boolean;
}

export interface YamlMap {
  readonly kind: 'map';
  /** `{ a: b }`; inside a flow collection everything is flow anyway. */
  readonly flow: boolean;
  readonly pairs: readonly YamlPair[];
}

export interface YamlSeq {
  readonly kind: 'seq';
  readonly flow: boolean;
  readonly items: readonly YamlValue[];
}

/**
 * A flow collection whose text fits on one line. Such text reads the same at any depth (only line breaks
 * carry indentation), so it is written once, when built, instead of keeping its tree.
 */
export interface YamlInline {
  readonly kind: 'inline';
  readonly text: string;
  /** Length of the data as JSON, Infinity when that JSON holds a `\n` escape (see `map` in build.ts). */
  readonly width: number;
}

export const valueOf = (p: YamlPair): YamlValue => (typeof p.value === 'function' ? p.value() : p.value);

export const isEmpty = (v: YamlMap | YamlSeq): boolean => (v.kind === 'map' ? v.pairs.length : v.items.length) === 0;

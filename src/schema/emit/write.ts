// The tree as text, laid out as the yaml library lays out its nodes (stringifyCollection.js and
// stringifyPair.js with `indent: 2`, `lineWidth: 0`): block collections one entry a line, flow collections
// `{ a: b }` / `[ a, b ]` on one line unless an entry spans lines, blank lines before spaced keys.
// The text is written as pieces joined a few hundred at a time: most pieces are the model's own strings, and
// a 3 MB rope of small strings alive until the end cost more in garbage collection than the joins.
import { flowString } from './flow.js';
import { isEmpty, valueOf, type YamlMap, type YamlPair, type YamlSeq, type YamlValue } from './node.js';
import { deeper, keepsTrailingNewlines, newline, scalar, scalarString } from './scalar.js';

/** Longer keys are written as explicit `? key` entries in block mappings. */
const MAX_IMPLICIT_KEY = 1024;

/** How many pieces are joined into one string at a time. */
const CHUNK = 256;

export function writeDocument(root: YamlValue): string {
  const w = new Writer();
  w.value(root, '');
  return w.text('\n');
}

class Writer {
  private readonly parts: string[] = [];
  private readonly chunks: string[] = [];
  /**
   * Whether the last value written ends with a `|+` literal. Its kept newlines already separate it from what
   * follows, so the library leaves out the blank line of a following spaced entry, and so must we.
   */
  private keep = false;

  /** Everything written, then `end`, as one string. */
  text(end: string): string {
    this.parts.push(end);
    this.chunks.push(this.parts.join(''));
    return this.chunks.join('');
  }

  private write(s: string): void {
    this.parts.push(s);
    if (this.parts.length < CHUNK) return;
    this.chunks.push(this.parts.join(''));
    this.parts.length = 0;
  }

  /** A value in block context; `indent` is the library's ctx.indent, which continuation lines start with. */
  value(v: YamlValue, indent: string): void {
    this.keep = false;
    if (typeof v !== 'object') {
      const s = scalar(v, indent, false);
      this.keep = keepsTrailingNewlines(s);
      this.write(s);
    } else if (v.kind === 'inline') {
      this.write(v.text);
    } else if (v.flow || isEmpty(v)) {
      this.write(flowString(v, indent));
    } else if (v.kind === 'map') {
      this.blockMap(v, indent);
    } else {
      this.blockSeq(v, indent);
    }
  }

  /** Entries after the first start a line with the indent; a blank line before one is a bare line break. */
  private blockMap(m: YamlMap, indent: string): void {
    let kept = false;
    m.pairs.forEach((p, i) => {
      if (i > 0 && !kept && p.spaceBefore) this.write('\n');
      if (i > 0) this.write(newline(indent));
      this.pair(p, indent);
      kept = this.keep;
    });
    this.keep = kept;
  }

  private blockSeq(s: YamlSeq, indent: string): void {
    let kept = false;
    const itemIndent = deeper(indent);
    s.items.forEach((item, i) => {
      if (i > 0) this.write(newline(indent));
      this.write('- ');
      this.value(item, itemIndent);
      kept = this.keep;
    });
    this.keep = kept;
  }

  private pair(p: YamlPair, indent: string): void {
    const inner = deeper(indent);
    const key = scalarString(p.key, inner, true, false);
    const v = valueOf(p);
    if (key.length > MAX_IMPLICIT_KEY) {
      // An explicit key: the value follows `: ` on the next line, whatever it is.
      this.write(`? ${key}${newline(indent)}: `);
      this.value(v, inner);
      return;
    }
    this.write(key);
    if (typeof v !== 'object' || v.kind === 'inline') {
      this.write(': ');
      this.value(v, inner);
    } else if (v.flow || isEmpty(v)) {
      // A flow collection that spans lines starts on a line of its own, as a block collection does.
      const s = flowString(v, inner);
      this.write(s.includes('\n') ? `:${newline(inner)}` : ': ');
      this.write(s);
      this.keep = false;
    } else {
      this.write(':');
      this.write(newline(inner));
      this.value(v, inner);
    }
  }
}

// The declared file must be UTF-8. Decoding it leniently turned each bad byte into U+FFFD, which then passed
// as part of a name and failed at the server (issue #13); the first bad byte is reported instead, at its line
// and column.
import type { Problem } from '../../errors.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none (RFC 3629). */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i] ?? 0;
  if (b < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => (bytes[i + k] ?? 0) >= lo && (bytes[i + k] ?? 0) <= hi;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  // The second byte's range excludes overlong forms (E0, F0) and surrogates (ED) and stops at U+10FFFF (F4).
  if (b >= 0xe0 && b <= 0xef) return cont(1, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf) && cont(2) ? 3 : 0;
  if (b >= 0xf0 && b <= 0xf4)
    return cont(1, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The file's text, or the problem at its first byte that is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, file: string): { text: string } | { problem: Problem } {
  try {
    return { text: strict.decode(bytes) };
  } catch {
    let [i, line, lineStart] = [0, 1, 0];
    for (let n = 0; i < bytes.length && (n = sequenceLength(bytes, i)) > 0; i += n) {
      if (bytes[i] === 0x0a) [line, lineStart] = [line + 1, i + 1];
    }
    // Columns count UTF-16 units, as the positions of every other problem do.
    const column = strict.decode(bytes.subarray(lineStart, i)).length + 1;
    const hex = (bytes[i] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    return {
      problem: {
        file,
        line,
        column,
        path: '',
        message: `the file is not valid UTF-8: byte 0x${hex} is not part of a UTF-8 character`,
        fix: 'save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`), or retype the character',
      },
    };
  }
}

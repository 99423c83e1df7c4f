// The palette plan renderers paint with. It belongs to the presentation of a plan, not to the CLI: `show` and
// `review` render plans for library callers too, and the CLI only decides whether colors are on (cli/io.ts).
import type pc from 'picocolors';

/** The palette plans are rendered with (picocolors' `createColors(false)` for plain text). */
export type Colors = ReturnType<typeof pc.createColors>;

import type { CommentTarget } from './changes.js';
import type { Emit } from './order.js';

/** A set_comment when the comment of an object present on both sides differs. */
export function diffComment(
  emit: Emit,
  schema: string,
  target: CommentTarget,
  from: string | undefined,
  to: string | undefined,
): void {
  if (from !== to) emit({ kind: 'set_comment', schema, target, from: from ?? null, to: to ?? null });
}

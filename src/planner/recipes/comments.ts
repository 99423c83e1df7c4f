// The comment an object carries, set by the step that creates it (CREATE and ADD CONSTRAINT never carry one),
// and put back by the rollback of a step that drops it.
import { comment, type CommentTarget } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import type { ObjectKey, Phase, StepDraft } from '../types.js';

export interface CommentOn {
  readonly target: CommentTarget;
  /** The object for people: `check "c" on app.t`. */
  readonly what: string;
  /** The object's key (and what else the step needs). */
  readonly requires: readonly ObjectKey[];
  readonly phase: Phase;
  readonly releaseOffset?: number;
}

/**
 * COMMENT ON the new object, as a step of its own (one statement per step); none without a comment, or when
 * the object replaced in place already has it. `previous`: the comment an object replaced in place kept
 * (CREATE OR REPLACE keeps it), which the rollback puts back.
 */
export function commentSteps(on: CommentOn, text: string | undefined, previous?: string): StepDraft[] {
  if (text === undefined || text === previous) return [];
  return [
    draft({
      phase: on.phase,
      ...(on.releaseOffset !== undefined ? { releaseOffset: on.releaseOffset } : {}),
      action: 'comment',
      description: `comment on ${on.what}`,
      sql: comment(on.target, text),
      rollback: [comment(on.target, previous ?? null)],
      requires: on.requires,
    }),
  ];
}

/** The statement putting a dropped object's comment back, for a rollback that recreates it. */
export function restoreComment(target: CommentTarget, text: string | undefined): string[] {
  return text === undefined ? [] : [comment(target, text)];
}

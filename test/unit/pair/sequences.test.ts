// The fenced sequences step sets only what changed since the copy made before the fence.
import { describe, expect, it } from 'vitest';
import { sequenceChanges, type SequenceValue } from '../../../src/pair/sequences.js';

const v = (name: string, lastValue: string, isCalled = true): SequenceValue => ({ name, lastValue, isCalled });

describe('sequenceChanges', () => {
  it('keeps the sequences whose value or is_called differs, and those missing on the target', () => {
    const source = [
      v('public.a_id_seq', '10'),
      v('public.b_id_seq', '1', false),
      v('public.c_id_seq', '7'),
      v('x.d', '3'),
    ];
    const target = [v('public.a_id_seq', '10'), v('public.b_id_seq', '1', true), v('public.c_id_seq', '6')];
    expect(sequenceChanges(source, target).map((s) => s.name)).toEqual(['public.b_id_seq', 'public.c_id_seq', 'x.d']);
  });

  it('is empty when the target already holds every state, whatever it has besides', () => {
    const source = [v('public.a_id_seq', '10'), v('public.b_id_seq', '1', false)];
    expect(sequenceChanges(source, [...source, v('public.only_there', '5')])).toEqual([]);
  });
});

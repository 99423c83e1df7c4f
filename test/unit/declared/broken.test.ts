// What salvage cut out, as the checks ask about it: the cut path, its ancestors and its descendants.
import { describe, expect, it } from 'vitest';
import { Broken } from '../../../src/schema/declared/salvage.js';

describe('Broken', () => {
  const broken = new Broken();
  broken.add(['schemas', 'public', 'tables', 'users', 'columns', 'id']);
  broken.add(['schemas', 'gone']);

  it('covers a cut path and everything below it, not its ancestors or siblings', () => {
    expect(broken.covers(['schemas', 'public', 'tables', 'users', 'columns', 'id'])).toBe(true);
    expect(broken.covers(['schemas', 'public', 'tables', 'users', 'columns', 'id', 'type'])).toBe(true);
    expect(broken.covers(['schemas', 'gone', 'tables', 't'])).toBe(true);
    expect(broken.covers(['schemas', 'public', 'tables', 'users'])).toBe(false);
    expect(broken.covers(['schemas', 'public', 'tables', 'users', 'columns', 'name'])).toBe(false);
  });

  it('finds a cut within a path: at it, below it or above it', () => {
    expect(broken.within(['schemas', 'public', 'tables', 'users'])).toBe(true);
    expect(broken.within(['schemas', 'public', 'tables', 'users', 'columns', 'id'])).toBe(true);
    expect(broken.within(['schemas', 'gone', 'tables', 't', 'primaryKey'])).toBe(true);
    expect(broken.within(['schemas', 'public', 'tables', 'orders'])).toBe(false);
    expect(broken.within(['schemas', 'public', 'tables', 'users', 'primaryKey'])).toBe(false);
  });

  it('knows which whole schemas were cut out', () => {
    expect(broken.schemaCut('gone')).toBe(true);
    expect(broken.schemaCut('public')).toBe(false);
    expect(broken.schemaCut()).toBe(true);
    expect(new Broken().schemaCut()).toBe(false);
  });

  it('keeps names with NUL or dots apart (segments are not joined into one string)', () => {
    const b = new Broken();
    b.add(['schemas', 'a\0b']);
    expect(b.covers(['schemas', 'a', 'b'])).toBe(false);
    expect(b.covers(['schemas', 'a\0b', 'tables'])).toBe(true);
  });
});

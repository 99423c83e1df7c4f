// The watch decoder on pgoutput messages built byte by byte (as the server sends them) and parsed by
// pg-logical-replication: which changes are foreign, their keys, and their commit time.
import { PgoutputPlugin } from 'pg-logical-replication';
import { describe, expect, it } from 'vitest';
import {
  isWatchPublicationName,
  isWatchSlotName,
  parseWatchSlotName,
  watchPublicationName,
  watchSlotName,
} from '../../../src/pair/names.js';
import { WatchDecoder, watchOptions, type ForeignWrite } from '../../../src/pair/watch.js';

const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const AT = new Date('2026-12-03T09:00:00.123Z');

/** A pgoutput message: a tag byte, then fields (int8 as 1-byte, int16/int32 numbers, int64 bigint, strings NUL-terminated). */
function msg(
  tag: string,
  ...fields: (readonly ['i8' | 'i16' | 'i32', number] | readonly ['i64', bigint] | string | Buffer)[]
): Buffer {
  const parts: Buffer[] = [Buffer.from(tag)];
  for (const f of fields) {
    if (typeof f === 'string') parts.push(Buffer.from(`${f}\0`));
    else if (Buffer.isBuffer(f)) parts.push(f);
    else {
      const b = Buffer.alloc({ i8: 1, i16: 2, i32: 4, i64: 8 }[f[0]]);
      if (f[0] === 'i64') b.writeBigInt64BE(f[1]);
      else if (f[0] === 'i8') b.writeUInt8(f[1]);
      else if (f[0] === 'i16') b.writeInt16BE(f[1]);
      else b.writeInt32BE(f[1]);
      parts.push(b);
    }
  }
  return Buffer.concat(parts);
}

const i8 = (n: number) => ['i8', n] as const;
const i32 = (n: number) => ['i32', n] as const;
const lsn = (n: number) => ['i64', BigInt(n)] as const;
const ts = (d: Date) => ['i64', BigInt(d.getTime() - POSTGRES_EPOCH_MS) * 1000n] as const;
const tuple = (...values: (string | null)[]) =>
  Buffer.concat([
    msg('', ['i16', values.length]).subarray(0),
    ...values.map((v) => (v === null ? Buffer.from('n') : msg('t', i32(Buffer.byteLength(v)), Buffer.from(v)))),
  ]);

const begin = (xid: number) => msg('B', lsn(0x1000 + xid), ts(AT), i32(xid));
const commit = (xid: number) => msg('C', i8(0), lsn(0x1000 + xid), lsn(0x1100 + xid), ts(AT));
const origin = msg('O', lsn(0x99), 'pg_16401');
// public.customers (id int8 key, email text), replica identity default; billing.events likewise.
const relation = (oid: number, schema: string, table: string) =>
  msg(
    'R',
    i32(oid),
    schema,
    table,
    i8('d'.charCodeAt(0)),
    ['i16', 2],
    i8(1),
    'id',
    i32(20),
    i32(-1),
    i8(0),
    'email',
    i32(25),
    i32(-1),
  );
const insert = (oid: number, id: string, email: string) => msg('I', i32(oid), Buffer.from('N'), tuple(id, email));
const update = (oid: number, id: string, email: string) => msg('U', i32(oid), Buffer.from('N'), tuple(id, email));
const updateKey = (oid: number, oldId: string, id: string) =>
  msg('U', i32(oid), Buffer.from('K'), tuple(oldId, null), Buffer.from('N'), tuple(id, 'x'));
const del = (oid: number, id: string) => msg('D', i32(oid), Buffer.from('K'), tuple(id, null));
const truncate = (...oids: number[]) => msg('T', i32(oids.length), i8(0), ...oids.map(i32));

function decode(buffers: readonly Buffer[]): ForeignWrite[] {
  const plugin = new PgoutputPlugin({ protoVersion: 2, publicationNames: ['switchyard_watch_blue'] });
  const decoder = new WatchDecoder();
  return buffers.flatMap((b) => decoder.feed(plugin.parse(b)));
}

describe('WatchDecoder', () => {
  const setup = [relation(1, 'public', 'customers'), relation(2, 'billing', 'events')];

  it('reports every change of a transaction without an origin, at its commit, with its key and server commit time', () => {
    const writes = decode([
      ...setup,
      begin(7),
      insert(1, '9001', 'rogue@example.com'),
      update(1, '9001', 'r@example.com'),
      updateKey(1, '9001', '9002'),
      del(2, '77'),
      commit(7),
    ]);
    expect(writes).toEqual([
      {
        table: 'public.customers',
        kind: 'insert',
        key: { id: '9001' },
        committedAt: AT,
        xid: 7,
        lsn: '00000000/00001007',
      },
      {
        table: 'public.customers',
        kind: 'update',
        key: { id: '9001' },
        committedAt: AT,
        xid: 7,
        lsn: '00000000/00001007',
      },
      {
        table: 'public.customers',
        kind: 'update',
        key: { id: '9001' },
        committedAt: AT,
        xid: 7,
        lsn: '00000000/00001007',
      },
      { table: 'billing.events', kind: 'delete', key: { id: '77' }, committedAt: AT, xid: 7, lsn: '00000000/00001007' },
    ]);
  });

  it('ignores a transaction with an Origin message (applied by a subscription), and only that one', () => {
    const writes = decode([
      ...setup,
      begin(8),
      origin,
      insert(1, '1', 'a'),
      commit(8),
      begin(9),
      truncate(1, 2),
      commit(9),
      begin(10),
      origin,
      del(1, '1'),
      commit(10),
    ]);
    expect(writes.map((w) => [w.xid, w.table, w.kind, w.key])).toEqual([
      [9, 'public.customers', 'truncate', null],
      [9, 'billing.events', 'truncate', null],
    ]);
  });

  it('reports nothing before the commit, and knows when it is inside a transaction', () => {
    const plugin = new PgoutputPlugin({ protoVersion: 2, publicationNames: ['p'] });
    const decoder = new WatchDecoder();
    for (const b of setup) decoder.feed(plugin.parse(b));
    expect(decoder.inTransaction).toBe(false);
    expect(decoder.feed(plugin.parse(begin(11)))).toEqual([]);
    expect(decoder.feed(plugin.parse(insert(1, '5', 'e')))).toEqual([]);
    expect(decoder.inTransaction).toBe(true);
    expect(decoder.feed(plugin.parse(commit(11)))).toHaveLength(1);
    expect(decoder.inTransaction).toBe(false);
  });

  it('without a replica identity key the whole row is the key', () => {
    const full = msg('R', i32(3), 'public', 'log', i8('f'.charCodeAt(0)), ['i16', 1], i8(0), 'line', i32(25), i32(-1));
    const writes = decode([full, begin(12), msg('I', i32(3), Buffer.from('N'), tuple('hello')), commit(12)]);
    expect(writes[0]).toMatchObject({ table: 'public.log', kind: 'insert', key: { line: 'hello' } });
  });
});

describe('watch names and options', () => {
  it('names the slot per side and generation, the publication per side', () => {
    expect(watchSlotName('blue', 3)).toBe('switchyard_watch_blue_g3');
    expect(watchPublicationName('green')).toBe('switchyard_watch_green');
    expect(parseWatchSlotName('switchyard_watch_green_g12')).toEqual({ side: 'green', generation: 12 });
    expect(parseWatchSlotName('switchyard_blue_to_green_g1')).toBeUndefined();
    expect(isWatchSlotName('switchyard_watch_blue')).toBe(false);
    expect(isWatchPublicationName('switchyard_watch_blue')).toBe(true);
  });

  it.each([
    [150000, { protoVersion: 2, publication: 'switchyard_watch_blue', originNone: false }],
    [160000, { protoVersion: 2, publication: 'switchyard_watch_blue', originNone: true }],
    [130000, { protoVersion: 1, publication: 'switchyard_watch_blue', originNone: false }],
  ])('server %i: %o', (num, expected) => {
    expect(watchOptions('blue', num)).toEqual(expected);
  });
});

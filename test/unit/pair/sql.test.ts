// The pair's replication statements, exactly as they are sent.
import { describe, expect, it } from 'vitest';
import {
  isPublicationName,
  isStreamName,
  parseStreamName,
  publicationName,
  streamName,
} from '../../../src/pair/names.js';
import {
  addToPublication,
  createPublication,
  createSlot,
  createSubscription,
  describeConninfo,
  detachSubscription,
  dropPublication,
  dropSlot,
  refreshSubscription,
  setPublication,
  subscriptionConninfo,
} from '../../../src/pair/sql.js';
import { sequenceDrift } from '../../../src/pair/status.js';

const HB = ['switchyard', 'heartbeat'] as const;

describe('replication SQL', () => {
  it.each([
    [
      'schemas and the heartbeat',
      createPublication('switchyard_from_blue', { schemas: ['public', 'billing'], tables: [HB] }),
      'CREATE PUBLICATION switchyard_from_blue FOR TABLES IN SCHEMA public, billing, TABLE switchyard.heartbeat',
    ],
    [
      'a table list (before 15, or without superuser)',
      createPublication('switchyard_from_green', { tables: [['public', 'orders'], ['Sales', 'order'], HB] }),
      'CREATE PUBLICATION switchyard_from_green FOR TABLE public.orders, "Sales"."order", switchyard.heartbeat',
    ],
    [
      'rerun: set the content',
      setPublication('switchyard_from_blue', { schemas: ['public'], tables: [['my ledger', 'heartbeat']] }),
      'ALTER PUBLICATION switchyard_from_blue SET TABLES IN SCHEMA public, TABLE "my ledger".heartbeat',
    ],
    ['drop publication', dropPublication('switchyard_from_blue'), 'DROP PUBLICATION IF EXISTS switchyard_from_blue'],
    [
      'slot',
      createSlot('switchyard_blue_to_green_g1'),
      "SELECT pg_create_logical_replication_slot('switchyard_blue_to_green_g1', 'pgoutput')",
    ],
    [
      'drop slot',
      dropSlot('switchyard_blue_to_green_g1'),
      "SELECT pg_drop_replication_slot('switchyard_blue_to_green_g1')",
    ],
    [
      'subscription, 16+',
      createSubscription('switchyard_blue_to_green_g1', "postgres://rep:it's@blue/app", 'switchyard_from_blue', {
        copyData: true,
        originNone: true,
      }),
      "CREATE SUBSCRIPTION switchyard_blue_to_green_g1 CONNECTION 'postgres://rep:it''s@blue/app' PUBLICATION switchyard_from_blue WITH (create_slot = false, slot_name = 'switchyard_blue_to_green_g1', copy_data = true, origin = none)",
    ],
    [
      'subscription, 15',
      createSubscription('switchyard_green_to_blue_g2', 'postgres://green/app', 'switchyard_from_green', {
        copyData: false,
        originNone: false,
      }),
      "CREATE SUBSCRIPTION switchyard_green_to_blue_g2 CONNECTION 'postgres://green/app' PUBLICATION switchyard_from_green WITH (create_slot = false, slot_name = 'switchyard_green_to_blue_g2', copy_data = false)",
    ],
    [
      "reverse: column lists, the old side's columns only",
      createPublication('switchyard_from_green', { tables: [['public', 'orders', ['id', 'total', 'Note']], HB] }),
      'CREATE PUBLICATION switchyard_from_green FOR TABLE public.orders (id, total, "Note"), switchyard.heartbeat',
    ],
    [
      'reverse subscription made ahead, disabled',
      createSubscription('switchyard_green_to_blue_g2', 'postgres://green/app', 'switchyard_from_green', {
        copyData: false,
        enabled: false,
        originNone: true,
      }),
      "CREATE SUBSCRIPTION switchyard_green_to_blue_g2 CONNECTION 'postgres://green/app' PUBLICATION switchyard_from_green WITH (create_slot = false, slot_name = 'switchyard_green_to_blue_g2', copy_data = false, enabled = false, origin = none)",
    ],
    [
      'a new tenant schema joins a schema publication',
      addToPublication('switchyard_from_blue', { schemas: [`tenant o'hara; drop "x" y`], tables: [] }),
      'ALTER PUBLICATION switchyard_from_blue ADD TABLES IN SCHEMA "tenant o\'hara; drop ""x"" y"',
    ],
    [
      "a new tenant's tables join a reverse publication with the old side's columns",
      addToPublication('switchyard_from_green', {
        tables: [
          ['tenant_9', 'orders', ['id', 'total']],
          ['tenant_9', 'customers'],
        ],
      }),
      'ALTER PUBLICATION switchyard_from_green ADD TABLE tenant_9.orders (id, total), tenant_9.customers',
    ],
    [
      'the standby picks up the new tables, copying only theirs',
      refreshSubscription('switchyard_blue_to_green_g1'),
      'ALTER SUBSCRIPTION switchyard_blue_to_green_g1 REFRESH PUBLICATION WITH (copy_data = true)',
    ],
  ])('%s', (_name, sql, expected) => {
    expect(sql).toBe(expected);
  });

  it('detaches a subscription from its slot before dropping it (the pair drops slots itself)', () => {
    expect(detachSubscription('switchyard_blue_to_green_g1')).toEqual([
      'ALTER SUBSCRIPTION switchyard_blue_to_green_g1 DISABLE',
      'ALTER SUBSCRIPTION switchyard_blue_to_green_g1 SET (slot_name = NONE)',
      'DROP SUBSCRIPTION switchyard_blue_to_green_g1',
    ]);
  });

  it('refuses an empty publication, and column lists beside whole schemas', () => {
    expect(() => createPublication('p', { tables: [] })).toThrow(/at least one/);
    expect(() => createPublication('p', { schemas: ['public'], tables: [['public', 't', ['a']]] })).toThrow(
      /column lists/,
    );
  });

  it('connects as the replication user without the application password', () => {
    expect(subscriptionConninfo('postgres://app:secret@blue:5432/app?sslmode=require')).toBe(
      'postgres://app:secret@blue:5432/app?sslmode=require',
    );
    expect(subscriptionConninfo('postgres://app:secret@blue:5432/app?sslmode=require', 'replicator')).toBe(
      'postgres://replicator@blue:5432/app?sslmode=require',
    );
    expect(subscriptionConninfo('postgres://app:secret@blue/app', 'app')).toBe('postgres://app:secret@blue/app');
    expect(describeConninfo('postgres://app:secret@blue/app')).not.toContain('secret');
  });

  it('carries a password found elsewhere (16+ requires one of a non-superuser), never over the URL one', () => {
    expect(subscriptionConninfo('postgres://deploy@blue:5432/app', undefined, 'p@ss word')).toBe(
      'postgres://deploy:p%40ss%20word@blue:5432/app',
    );
    expect(subscriptionConninfo('host=blue user=deploy dbname=app', undefined, "it's")).toBe(
      "host=blue user=deploy dbname=app password='it\\'s'",
    );
    expect(subscriptionConninfo('postgres://app:secret@blue/app', 'replicator', 'repl')).toBe(
      'postgres://replicator:repl@blue/app',
    );
    expect(subscriptionConninfo('postgres://app:secret@blue/app', undefined, 'other')).toBe(
      'postgres://app:secret@blue/app',
    );
  });
});

describe('names', () => {
  it('derives stable names with the generation and recognises only its own', () => {
    expect(publicationName('blue')).toBe('switchyard_from_blue');
    expect(streamName('green', 'blue', 12)).toBe('switchyard_green_to_blue_g12');
    expect(parseStreamName('switchyard_green_to_blue_g12')).toEqual({
      publisher: 'green',
      subscriber: 'blue',
      generation: 12,
    });
    expect(isStreamName('switchyard_blue_to_green_g1')).toBe(true);
    expect(isStreamName('switchyard_blue_to_green')).toBe(false);
    expect(isStreamName('my_slot')).toBe(false);
    expect(isPublicationName('switchyard_from_green')).toBe(true);
    expect(isPublicationName('switchyard_from_red')).toBe(false);
  });
});

describe('sequence drift', () => {
  it('compares last_value per sequence; unused counts from its start, a missing one has no difference', () => {
    const live = new Map<string, string | null>([
      ['public.a', '100'],
      ['public.b', null],
      ['public.c', '9007199254740993'],
      ['public.only_live', '1'],
    ]);
    const standby = new Map<string, string | null>([
      ['public.a', '40'],
      ['public.b', null],
      ['public.c', '1'],
      ['public.only_standby', '3'],
    ]);
    expect(sequenceDrift(live, standby)).toEqual([
      { sequence: 'public.a', live: '100', standby: '40', behind: '60' },
      { sequence: 'public.b', live: null, standby: null, behind: '0' },
      { sequence: 'public.c', live: '9007199254740993', standby: '1', behind: '9007199254740992' },
      { sequence: 'public.only_live', live: '1', standby: null, behind: null },
      { sequence: 'public.only_standby', live: null, standby: '3', behind: null },
    ]);
  });
});

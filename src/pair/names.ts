// Names of the replication objects a pair owns. Stable and derived, so that any command (init, resync,
// teardown, cutover) finds them again without a registry, and never touches objects it did not make.
import type { Side } from './types.js';

/** The publication on `publisher`: one per side, whatever the generation. */
export function publicationName(publisher: Side): string {
  return `switchyard_from_${publisher}`;
}

/**
 * The subscription on `subscriber` and its slot on `publisher` share one name, with the generation in it:
 * a stream made for another generation is recognisably stale.
 */
export function streamName(publisher: Side, subscriber: Side, generation: number): string {
  return `switchyard_${publisher}_to_${subscriber}_g${generation}`;
}

const STREAM = /^switchyard_(blue|green)_to_(blue|green)_g([0-9]+)$/;
const PUBLICATION = /^switchyard_from_(blue|green)$/;

export function isStreamName(name: string): boolean {
  return STREAM.test(name);
}

export function isPublicationName(name: string): boolean {
  return PUBLICATION.test(name);
}

/** publisher, subscriber and generation of a stream name, or undefined for a name switchyard did not make. */
export function parseStreamName(name: string): { publisher: Side; subscriber: Side; generation: number } | undefined {
  const m = STREAM.exec(name);
  if (!m) return undefined;
  return { publisher: m[1] as Side, subscriber: m[2] as Side, generation: Number(m[3]) };
}

/**
 * The split-brain watch on a fenced side: a slot per generation (a slot of an older switch is recognisably
 * stale) and one publication of the side's application tables for it.
 */
export function watchSlotName(side: Side, generation: number): string {
  return `switchyard_watch_${side}_g${generation}`;
}

export function watchPublicationName(side: Side): string {
  return `switchyard_watch_${side}`;
}

const WATCH_SLOT = /^switchyard_watch_(blue|green)_g([0-9]+)$/;
const WATCH_PUBLICATION = /^switchyard_watch_(blue|green)$/;

export function isWatchSlotName(name: string): boolean {
  return WATCH_SLOT.test(name);
}

export function isWatchPublicationName(name: string): boolean {
  return WATCH_PUBLICATION.test(name);
}

/** side and generation of a watch slot name, or undefined for a name switchyard did not make. */
export function parseWatchSlotName(name: string): { side: Side; generation: number } | undefined {
  const m = WATCH_SLOT.exec(name);
  return m ? { side: m[1] as Side, generation: Number(m[2]) } : undefined;
}

/** SQL LIKE pattern matching every name above, for catalog queries (refined with the regexps). */
export const NAME_LIKE = 'switchyard\\_%';

/** The published heartbeat table (the cutover marker) and the per-database topology, in the ledger schema. */
export const HEARTBEAT_TABLE = 'heartbeat';
export const TOPOLOGY_TABLE = 'pair_topology';
export const PAIR_VERSION_TABLE = 'pair_version';
export const SWITCH_TABLE = 'pair_switch';
export const FENCE_TABLE = 'pair_fence';
export const INIT_TABLE = 'pair_init';

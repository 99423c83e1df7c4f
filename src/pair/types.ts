// The pair's vocabulary: two sides (blue, green), one live and one standby, and what pair commands report
// while they work.
import type { Check } from '../executor/preflight/types.js';

export const SIDES = ['blue', 'green'] as const;
/** A side of the blue/green pair. */
export type Side = (typeof SIDES)[number];

export function otherSide(side: Side): Side {
  return side === 'blue' ? 'green' : 'blue';
}

/** Where the pair stands, as stored in each database's ledger schema (`pair_topology`). */
export interface Topology {
  /** Which side this database is. */
  readonly side: Side;
  /** Which side takes application traffic. */
  readonly live: Side;
  /** Fencing token: bumped on every switch; a command acting on an older generation is refused. */
  readonly generation: number;
  /** `initializing` while `pair init` runs, `paired` once the standby is streaming, `unpaired` after teardown. */
  readonly state: TopologyState;
  readonly updatedAt: Date;
}

export const TOPOLOGY_STATES = ['initializing', 'paired', 'unpaired'] as const;
export type TopologyState = (typeof TOPOLOGY_STATES)[number];

/** What `pair init` and `pair resync` report while they work (the CLI draws it as a bar or JSON lines). */
export type PairEvent =
  | { readonly kind: 'check'; readonly check: Check }
  | { readonly kind: 'step'; readonly step: PairStep; readonly state: 'done' | 'skipped'; readonly detail: string }
  | {
      readonly kind: 'sync';
      readonly tables: number;
      readonly ready: number;
      /** Rows copied so far (estimate from live statistics for finished tables, exact for tables copying now). */
      readonly rows: number;
      readonly totalRows: number;
      readonly rowsPerSecond: number;
      readonly elapsedMs: number;
    }
  | { readonly kind: 'notice'; readonly message: string };

export type PairStep =
  | 'ledger'
  | 'topology'
  | 'schema'
  | 'grants'
  | 'replica_identity'
  | 'publication'
  | 'slot'
  | 'subscription'
  | 'sync'
  | 'refresh'
  | 'heartbeat'
  | 'reset'
  | 'teardown';

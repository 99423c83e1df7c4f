// Fan-out: one piece of work per tenant over a fixed number of connections. Each worker owns one session for
// the whole run (a tenant's steps, its ledger rows and its lock all go through it) and takes the next tenant
// when it is done with one. `--on-error abort` stops handing out tenants after the first failure and lets the
// running ones finish: a tenant is never left half-way by switchyard itself.

export type TenantState = 'pending' | 'running' | 'done' | 'skipped' | 'failed';

export interface TenantOutcome {
  readonly tenant: string;
  readonly state: Exclude<TenantState, 'pending' | 'running'>;
  /** Steps run (or undone) for this tenant. */
  readonly ran: number;
  readonly ms: number;
  readonly error?: string;
}

export interface FanoutProgress {
  readonly done: number;
  readonly running: number;
  readonly failed: number;
  readonly pending: number;
  readonly skipped: number;
  readonly total: number;
  /** The tenant that just changed state, and how. */
  readonly tenant: string;
  readonly state: TenantState;
  readonly error?: string;
}

export interface FanoutOptions<W> {
  readonly concurrency: number;
  readonly onError: 'continue' | 'abort';
  /** Opens a worker's session; closed with `close` when the run ends. */
  readonly open: () => Promise<W>;
  readonly close: (w: W) => Promise<void>;
  readonly onProgress?: (p: FanoutProgress) => void;
}

/** What the work for one tenant returns: how many steps it ran, or 'skipped' when there was nothing to do. */
export type TenantWork<W> = (worker: W, tenant: string) => Promise<number | 'skipped'>;

export interface FanoutResult {
  readonly outcomes: readonly TenantOutcome[];
  /** Tenants never started because --on-error abort stopped the run. */
  readonly notStarted: readonly string[];
}

export async function fanout<W>(
  tenants: readonly string[],
  work: TenantWork<W>,
  o: FanoutOptions<W>,
): Promise<FanoutResult> {
  let next = 0;
  const outcomes: TenantOutcome[] = [];
  const finished = { done: 0, skipped: 0, failed: 0 };
  let running = 0;
  let aborted = false;
  const progress = (tenant: string, state: TenantState, error?: string) => {
    if (state === 'done' || state === 'skipped' || state === 'failed') finished[state]++;
    o.onProgress?.({
      ...finished,
      running,
      pending: tenants.length - next,
      total: tenants.length,
      tenant,
      state,
      ...(error !== undefined ? { error } : {}),
    });
  };

  const loop = async (worker: W) => {
    while (!aborted) {
      const tenant = tenants[next];
      if (tenant === undefined) return;
      next++;
      running++;
      progress(tenant, 'running');
      const started = performance.now();
      try {
        const ran = await work(worker, tenant);
        running--;
        const ms = Math.round(performance.now() - started);
        outcomes.push(
          ran === 'skipped' ? { tenant, state: 'skipped', ran: 0, ms } : { tenant, state: 'done', ran, ms },
        );
        progress(tenant, ran === 'skipped' ? 'skipped' : 'done');
      } catch (e) {
        running--;
        const error = (e as Error)?.message ?? String(e);
        outcomes.push({ tenant, state: 'failed', ran: 0, ms: Math.round(performance.now() - started), error });
        progress(tenant, 'failed', error);
        if (o.onError === 'abort') aborted = true;
      }
    }
  };

  const n = Math.max(1, Math.min(o.concurrency, tenants.length));
  const workers: W[] = [];
  try {
    for (let i = 0; i < n; i++) workers.push(await o.open());
    await Promise.all(workers.map(loop));
  } finally {
    await Promise.all(workers.map((w) => o.close(w).catch(() => undefined)));
  }
  return { outcomes, notStarted: tenants.slice(next) };
}

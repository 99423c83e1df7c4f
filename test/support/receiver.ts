// A local HTTP receiver on 127.0.0.1 for webhook tests: records every POSTed JSON body; `hang` never answers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach } from 'vitest';

export interface Receiver {
  readonly url: string;
  readonly bodies: Array<Record<string, unknown>>;
  /** Requests that arrived (answered or not). */
  requests: number;
  close(): Promise<void>;
}

const open: Receiver[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

export async function receiver(o: { hang?: boolean; status?: number } = {}): Promise<Receiver> {
  const bodies: Array<Record<string, unknown>> = [];
  const pending: ServerResponse[] = [];
  const r = { url: '', bodies, requests: 0 } as Receiver & { requests: number };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    r.requests++;
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      if (o.hang) return void pending.push(res);
      try {
        bodies.push(JSON.parse(text) as Record<string, unknown>);
      } catch {
        bodies.push({ unparsed: text });
      }
      res.writeHead(o.status ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address() as { port: number };
  Object.assign(r, {
    url: `http://127.0.0.1:${address.port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of pending) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  open.push(r);
  return r;
}

/** Polls `fn` until it returns a value (or throws after `timeoutMs`, naming `what`). */
export async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

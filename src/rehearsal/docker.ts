// Throwaway PostgreSQL servers in docker containers (`switchyard rehearse --engine docker --image postgres:<major>`).
// The container shares the host's network (no port publishing, so engines without a bridge network work too)
// and listens on 127.0.0.1:<free port>, so url() has the same shape as startEmbedded's. The image is the official
// `postgres:<major>` or anything with its contract (POSTGRES_PASSWORD, command `postgres ...`); where no
// registry is reachable, `npm run docker:image` builds a compatible postgres:15.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SwitchyardError, type RehearsalErrorCode } from '../errors.js';
import { DEFAULT_MAJOR, freePort, type EmbeddedServer } from './embedded.js';

export interface DockerOptions {
  /** Default `postgres:<major>`. */
  readonly image?: string;
  /** Picks the default image, postgres:<major>; default 17. The server's `major` is what the image really runs. */
  readonly major?: number;
  /** Extra `-c name=value` settings. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface DockerServer extends EmbeddedServer {
  readonly image: string;
  readonly containerId: string;
}

/** No engine, no image, or a server that did not come up; `image` names the image when there is one. */
export class DockerError extends SwitchyardError {
  readonly image: string | undefined;
  constructor(code: RehearsalErrorCode, message: string, image?: string, options?: { cause?: unknown }) {
    super(code, message, code === 'DOCKER_START_FAILED' ? 3 : 2, options);
    this.image = image;
  }
}

/** Labels every container we start, so leftovers of a killed process are easy to find and remove. */
export const CONTAINER_LABEL = 'org.switchyard.rehearsal';

// Kept equal to BASE_SETTINGS in embedded.ts (not exported there): the same server whatever the engine.
const BASE_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  wal_level: 'logical',
  max_replication_slots: '20',
  max_wal_senders: '20',
  max_logical_replication_workers: '8',
  max_worker_processes: '16',
  max_connections: '300',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
};

const START_TIMEOUT_MS = 60_000;
const NO_ENGINE_FIX =
  'start one, e.g. as root `dockerd --bridge=none --iptables=false >/var/log/dockerd.log 2>&1 &` (or `systemctl start docker`), or set DOCKER_HOST';

/**
 * testcontainers settings, each applied only when the user has not set it:
 * - TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1: with host networking the server is on this machine's loopback, and
 *   testcontainers' own host detection needs a bridge network that engines started with --bridge=none lack.
 * - TESTCONTAINERS_RYUK_DISABLED=true only when the reaper cannot run: it publishes a port (impossible without a
 *   bridge network) and needs its image (local, or pulled from a registry). Without it, a killed switchyard
 *   leaves its container behind: `docker rm -f $(docker ps -aq --filter label=org.switchyard.rehearsal)`.
 */
async function configureTestcontainers(): Promise<typeof import('testcontainers')> {
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const tc = await import('testcontainers');
  if (process.env.TESTCONTAINERS_RYUK_DISABLED === undefined) {
    const client = await engine(tc);
    const { getReaperImage } = await import('testcontainers/build/reaper/reaper.js');
    const reaper = tc.ImageName.fromString(getReaperImage());
    const bridge = await client.network
      .getById('bridge')
      .inspect()
      .then(
        () => true,
        () => false,
      );
    const image =
      bridge &&
      ((await client.image.exists(reaper)) ||
        (await client.image.pull(reaper).then(
          () => true,
          () => false,
        )));
    if (!image) process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  }
  return tc;
}

async function engine(tc: typeof import('testcontainers')): Promise<import('testcontainers').ContainerRuntimeClient> {
  try {
    return await tc.getContainerRuntimeClient();
  } catch (cause) {
    throw new DockerError('DOCKER_UNAVAILABLE', `no docker engine reachable: ${NO_ENGINE_FIX}`, undefined, { cause });
  }
}

/** Whether a docker engine answers (DOCKER_HOST, the default socket, or whatever testcontainers finds). */
export async function dockerAvailable(): Promise<boolean> {
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const tc = await import('testcontainers');
  return tc.getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
}

function flags(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

/** Starts a fresh, empty server in a new container; stop() removes the container and its data. */
export async function startDocker(options: DockerOptions = {}): Promise<DockerServer> {
  const major = options.major ?? DEFAULT_MAJOR;
  const image = options.image ?? `postgres:${major}`;
  const tc = await configureTestcontainers();
  const client = await engine(tc);
  const name = tc.ImageName.fromString(image);
  if (!(await client.image.exists(name))) {
    await client.image.pull(name).catch((cause: unknown) => {
      const fix =
        image === 'postgres:15'
          ? 'run `npm run docker:image` to build it here'
          : `\`docker pull ${image}\` needs a registry; without one, use postgres:15, which \`npm run docker:image\` builds here`;
      throw new DockerError(
        'DOCKER_IMAGE_MISSING',
        `image ${image} not found locally and could not be pulled (${firstLine(cause)}): ${fix}`,
        image,
        { cause },
      );
    });
  }

  const port = await freePort();
  const password = randomBytes(18).toString('base64url');
  const settings = { ...BASE_SETTINGS, ...options.settings };
  const url = (db = 'postgres') => `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
  const log: string[] = [];
  const onLog = (m: string) => {
    log.push(m);
    if (log.length > 200) log.shift();
  };
  const failed = (why: string, cause?: unknown) =>
    new DockerError(
      'DOCKER_START_FAILED',
      `could not start PostgreSQL ${major} from image ${image} on port ${port}: ${why}\n${log.join('').slice(-2000)}`,
      image,
      { cause },
    );

  let container: import('testcontainers').StartedTestContainer;
  try {
    container = await new tc.GenericContainer(image)
      .withNetworkMode('host')
      .withName(`switchyard-pg${major}-${port}`)
      .withLabels({ [CONTAINER_LABEL]: 'true' })
      .withEnvironment({ POSTGRES_PASSWORD: password, POSTGRES_USER: 'postgres' })
      .withCommand(['postgres', '-p', String(port), ...flags(settings)])
      .withLogConsumer((stream) => stream.on('data', (chunk: Buffer | string) => onLog(chunk.toString())))
      .withStartupTimeout(START_TIMEOUT_MS)
      .start();
  } catch (cause) {
    throw failed(firstLine(cause), cause);
  }
  const stop = async () => {
    await container.stop({ timeout: 0, remove: true, removeVolumes: true }).catch(() => undefined);
  };
  let actual: number;
  try {
    actual = await untilConnects(
      url(),
      async () => (await client.container.inspect(client.container.getById(container.getId()))).State.Running,
    );
  } catch (cause) {
    await stop();
    throw failed(firstLine(cause), cause);
  }
  let stopped = false;
  return {
    major: actual,
    port,
    url,
    image,
    containerId: container.getId(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stop();
    },
  };
}

// Not the "ready to accept connections" log line: the official image prints it twice (a temporary server runs
// its init scripts first, on the unix socket only), the image from docker-image.sh once. A TCP connection with
// the password succeeds only on the real server, in both. Returns the server's major version.
async function untilConnects(connectionString: string, running: () => Promise<boolean>): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const c = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
    try {
      await c.connect();
      const { rows } = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      await c.end();
      return Math.floor(Number(rows[0]?.v) / 10_000);
    } catch (e) {
      await c.end().catch(() => undefined);
      if (!(await running())) throw new Error('the container exited');
      if (Date.now() > deadline) throw new Error(`no connection after ${START_TIMEOUT_MS / 1000} s: ${firstLine(e)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function firstLine(e: unknown): string {
  return (String((e as Error)?.message ?? e).split('\n')[0] ?? '').trim();
}

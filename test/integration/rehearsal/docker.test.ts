// The docker engine on a real docker: a postgres:15 container (the official image, or the one
// `npm run docker:image` builds) that serves logical replication and leaves nothing behind once stopped.
// Skipped without a docker engine, unless SWITCHYARD_REQUIRE_DOCKER=1 (CI), where that is a failure.
import pg from 'pg';
import { getContainerRuntimeClient } from 'testcontainers';
import { describe, expect, it } from 'vitest';
import { DockerError, dockerAvailable, startDocker } from '../../../src/rehearsal/docker.js';
import { qualified } from '../../../src/db/quote.js';

const required = process.env.SWITCHYARD_REQUIRE_DOCKER === '1';
const available = await dockerAvailable();

async function show(c: pg.Client, setting: 'server_version_num' | 'wal_level'): Promise<string> {
  const { rows } = await c.query<Record<string, string>>(`SHOW ${setting}`);
  return rows[0]![setting]!;
}

describe.skipIf(!available && !required)('startDocker', () => {
  it('finds a docker engine (SWITCHYARD_REQUIRE_DOCKER=1 makes its absence a failure)', () => {
    expect(available, 'no docker engine reachable: start dockerd (see README, "Docker engine")').toBe(true);
  });

  it('starts PostgreSQL 15 with wal_level=logical, and removes the container on stop', async () => {
    const server = await startDocker({ major: 15 });
    let stopped = false;
    try {
      expect(server.image).toBe('postgres:15');
      expect(server.major).toBe(15);
      expect(server.url('a b')).toBe(
        `postgres://postgres:${new URL(server.url()).password}@127.0.0.1:${server.port}/a%20b`,
      );
      const c = new pg.Client({ connectionString: server.url() });
      await c.connect();
      try {
        expect(Math.floor(Number(await show(c, 'server_version_num')) / 10_000)).toBe(15);
        expect(await show(c, 'wal_level')).toBe('logical');
        const table = qualified('public', 'Rehearsal Table');
        await c.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
        await c.query(`INSERT INTO ${table} VALUES (1), (2)`);
        expect((await c.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(2);
      } finally {
        await c.end();
      }
      await server.stop();
      stopped = true;
      await server.stop(); // idempotent
      const client = await getContainerRuntimeClient();
      await expect(client.container.inspect(client.container.getById(server.containerId))).rejects.toThrow();
    } finally {
      if (!stopped) await server.stop();
    }
  });

  it('names the image and the fix when the image is neither local nor pullable', async () => {
    const image = 'switchyard/no-such-image:15';
    const error = await startDocker({ image, major: 15 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerError);
    expect((error as DockerError).code).toBe('DOCKER_IMAGE_MISSING');
    expect((error as DockerError).exitCode).toBe(2);
    expect((error as DockerError).image).toBe(image);
    expect((error as DockerError).message).toContain(`image ${image} not found locally`);
    expect((error as DockerError).message).toContain('npm run docker:image');
  });
});

// The rehearsal itself on the docker engine: the same example plan as the embedded tests, on postgres:15.
describe.skipIf(!available && !required)('rehearse --engine docker', () => {
  it('passes on a correct plan and names the step of a wrong hand-edited rollback', async () => {
    const { exampleProject, editPlan } = await import('../executor/support.js');
    const { readPlan } = await import('../../../src/planner/file.js');
    const p = await exampleProject();
    const ok = await p.run('--json', 'rehearse', p.plan, '--engine', 'docker', '--pg-version', '15');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const report = JSON.parse(ok.stdout) as { passed: boolean; engine: string; server: string };
    expect(report).toMatchObject({ passed: true, engine: 'docker' });
    expect(report.server).toMatch(/^PostgreSQL 15\./);

    const plan = await readPlan(p.plan);
    const victim = plan.releases[0]!.expand.find((s) => s.sql.includes('ADD COLUMN middle_name'))!;
    await editPlan(p.plan, (x) => ({
      ...x,
      releases: x.releases.map((r) => ({
        ...r,
        expand: r.expand.map((s) => (s.id === victim.id ? { ...s, rollback: ['SELECT 1'] } : s)),
      })),
    }));
    const bad = await p.run('rehearse', p.plan, '--engine', 'docker', '--pg-version', '15');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`rehearsal failed at step ${victim.id}`);
    expect(bad.stdout).toContain('middle_name');
  });
});

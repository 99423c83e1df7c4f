// One PostgreSQL server per test run (major from SWITCHYARD_PG_VERSION, default 17), always stopped.
// Each test takes a fresh database on it with `freshDatabase()`.
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedServer } from '../../src/rehearsal/embedded.js';
import { ensureSystemPackages } from './system-deps.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgMajor: number;
  }
}

let server: EmbeddedServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  ensureSystemPackages();
  server = await startEmbedded();
  project.provide('pgAdminUrl', server.url('postgres'));
  project.provide('pgMajor', server.major);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import type { SetExit } from './context.js';
import { registerSchemaCommands } from './schema.js';
import { registerDemo } from './demo.js';
import { registerPlanCommands } from './plan.js';
import { registerExecuteCommands } from './execute.js';
import { registerRehearse } from './rehearse.js';
import { registerPreflight } from './preflight.js';
import { registerCutover } from './cutover.js';
import { registerPair } from './pair.js';
import { registerTenants } from './tenants.js';
import { registerWatch } from './watch.js';

export function registerCommands(program: Command, io: CliIO, setExit: SetExit): void {
  registerSchemaCommands(program, io, setExit);
  registerPlanCommands(program, io, setExit);
  registerRehearse(program, io, setExit);
  registerPreflight(program, io, setExit);
  registerExecuteCommands(program, io, setExit);
  registerPair(program, io, setExit);
  registerCutover(program, io, setExit);
  registerTenants(program, io, setExit);
  registerWatch(program, io, setExit);
  registerDemo(program, io, setExit);
}

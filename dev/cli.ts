/**
 * The workshop's CLI, run from a clone (`npm run local -- <command>`, `npm start` for the sandbox):
 * the operator commands of `zoho-tokens` with the emulator hooks plugged in (the refresher's
 * functions run in this process, moto's DynamoDB writes one at a time), plus the commands that set
 * up and drive the local emulator. Never shipped: the operator CLI (cli/) imports nothing from here.
 */

import { processIo } from '../cli/io';
import { type CliIo, type CliProgram, COMMANDS, main as runProgram } from '../cli/main';
import { connectServerCommand } from './commands/connect-server';
import { drainCommand } from './commands/drain';
import { initCommand } from './commands/init';
import { setupCommand } from './commands/setup';
import { workCommand } from './commands/work';
import { DEV_EMULATOR_HOOKS } from './emulator/hooks';
import { sandboxCommand } from './sandbox/command';

/** The workshop's own commands, in help order. */
export const DEV_COMMANDS = [
  sandboxCommand,
  setupCommand,
  initCommand,
  workCommand,
  drainCommand,
  connectServerCommand,
] as const;

/** `npm run local --`: the workshop's commands, then every operator command against the emulator. */
export const DEV_PROGRAM: CliProgram = {
  name: 'npm run local --',
  about:
    "The development CLI of a clone: the local sandbox, the emulator's setup, and every zoho-tokens command with the refresher's functions run in this process against the emulator (--aws-endpoint).",
  commands: [...DEV_COMMANDS, ...COMMANDS],
  examples: [
    { what: 'The whole refresher on this machine (the same as npm start)', run: 'npm run local -- sandbox' },
    {
      what: "Create the stack's resources in a moto server that is already running",
      run: 'npm run local -- init --aws-endpoint http://127.0.0.1:5000',
    },
    {
      what: 'Refresh what is due there, the planner and a worker running in this process',
      run: 'npm run local -- sweep --aws-endpoint http://127.0.0.1:5000 --allow-custom-accounts-server',
    },
  ],
  emulator: DEV_EMULATOR_HOOKS,
};

/** Runs the development CLI; resolves to the exit code. Never throws. */
export function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  return runProgram(argv, io, DEV_PROGRAM);
}

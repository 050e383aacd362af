/** `npm run local -- setup`: installs the Python tools (the moto emulator, the template scanners) into .venv. */
import type { CommandSpec } from '../../cli/command';
import { EXIT_OK } from '../../cli/errors';
import { ensurePythonTools } from '../emulator/python-env';

export const setupCommand: CommandSpec = {
  name: 'setup',
  brief: 'Install the Python tools into .venv',
  examples: [{ what: 'Install moto, cfn-lint and checkov into .venv', run: 'npm run local -- setup' }],
  summary:
    'Installs the Python tools the sandbox and the tests need (the moto AWS emulator, cfn-lint, checkov) into .venv at the project root. Installs only what changed; CI runs it once.',
  usage: '',
  options: {},
  target: false,
  async run(ctx) {
    const tools = await ensurePythonTools({ log: (line) => ctx.out.note(line) });
    if (ctx.values.json === true) ctx.out.json({ venvDir: tools.venvDir, python: tools.python });
    else ctx.out.line(`Python tools ready in ${tools.venvDir}.`);
    return EXIT_OK;
  },
};

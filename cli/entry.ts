/**
 * The shipped `zoho-tokens` (bin/zoho-tokens.js runs its build, `dist/cli/entry.js`). Help pages
 * and the version come from the commands' manifest written at build time (`commands.json` beside
 * it), so they load no command module and no AWS SDK; anything else loads the CLI proper.
 */
import { readFileSync } from 'node:fs';
import type { CommandInfo } from './command';
import { helpAnswer, operatorProgram } from './help';

// Under Node 20 the AWS SDK prints a nine-line NodeVersionSupportWarning on every command;
// `zoho-tokens doctor` reports the Node version instead. An explicit setting still wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const argv = process.argv.slice(2);
const commands = JSON.parse(
  readFileSync(new URL('./commands.json', import.meta.url), 'utf8'),
) as readonly CommandInfo[];
const answer = helpAnswer(argv, operatorProgram(commands));
if (answer === undefined) {
  const { main } = await import('./main');
  process.exitCode = await main(argv);
} else {
  process[answer.stream].write(answer.text);
  process.exitCode = answer.exitCode;
}

/** `npm run local -- sandbox` (`npm start`): the CLI's face of `runSandbox`. */

import { type CommandSpec, describeArgument, stringOption } from '../../cli/command';
import { EXIT_OK, UsageError } from '../../cli/errors';
import { LOCAL_DEFAULTS } from '../../functions/aws/names';
import { runSandbox } from './index';
import { describeRange, type SecondsOption } from './options';

/**
 * A number of seconds. Its range is checked with the other settings (resolveSandboxSettings); a
 * negative number comes here only as `--flag=-1` (parseArgs takes `--flag -1` for two options).
 */
const number = (value: string | undefined, flag: SecondsOption): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(parsed)) {
    throw new UsageError(`${describeRange(flag)} (got ${describeArgument(value, 20)})`);
  }
  return parsed;
};

export const sandboxCommand: CommandSpec = {
  name: 'sandbox',
  brief: 'The local sandbox (npm start)',
  examples: [
    {
      what: 'The sandbox with the Zoho simulator, for ten minutes',
      run: 'npm run local -- sandbox --duration 600',
    },
    {
      what: 'Tokens that live 2 minutes, so that refreshes show quickly',
      run: 'npm run local -- sandbox --token-lifetime 120',
    },
  ],
  summary:
    'Runs the whole refresher on this machine: an AWS API emulator (moto) with every resource of the stack, a Zoho simulator with a connection in two data centres, the scheduled handler on a timer, the on-demand handler fed by the queue the bus rule fills, and a demo consumer calling the Books API. Shows a live table; Ctrl-C stops everything it started.',
  usage: '[--duration S] [--aws-endpoint URL] [--zoho-accounts URL] [--dc DC]',
  json: false,
  // Its own resources have the documented default names: --stack, --table, --bus, --key and
  // --secret-prefix would be ignored, so only the target options it uses are offered.
  target: false,
  options: {
    duration: {
      type: 'string',
      value: 'S',
      description:
        "stop by itself S seconds (1 to 86400) after the start-up, which on a first run includes moto's one-time install",
    },
    'aws-endpoint': {
      type: 'string',
      value: 'URL',
      description: 'an AWS API emulator already running, instead of starting moto',
    },
    region: {
      type: 'string',
      value: 'REGION',
      description: `region of the emulator's resources (default: ${LOCAL_DEFAULTS.region})`,
    },
    'token-lifetime': {
      type: 'string',
      value: 'S',
      description: "simulator only: lifetime of its access tokens, 10 to 3600 (default 60; Zoho's is 3600)",
    },
    'sweep-interval': {
      type: 'string',
      value: 'S',
      description: 'run the planner (then the refresh worker) every S seconds, 0.1 to 3600 (default 10)',
    },
    'consumer-interval': {
      type: 'string',
      value: 'S',
      description:
        "each demo consumer calls Books every S seconds, 0.1 to 3600 (default 3). With the real Zoho the demo consumer is OFF unless given, and S must be 300 or more: every call spends the organisation's daily Books API quota",
    },
    'expire-every': {
      type: 'string',
      value: 'S',
      description:
        "simulator only: it expires a connection's tokens early every S seconds, so consumers meet a 401; 0 (never) to 86400 (default 20). Always off with the real Zoho",
    },
    'zoho-accounts': {
      type: 'string',
      value: 'URL',
      description:
        'a Zoho accounts server already running, instead of the simulator (needs the credentials below)',
    },
    'client-id': {
      type: 'string',
      value: 'ID',
      description: 'use real Zoho with this client (or ZOHO_CLIENT_ID)',
    },
    'client-secret': {
      type: 'string',
      value: 'SECRET',
      description: 'prefer ZOHO_CLIENT_SECRET: flags end up in shell history',
    },
    'refresh-token': {
      type: 'string',
      value: 'TOKEN',
      description: 'prefer ZOHO_REFRESH_TOKEN: flags end up in shell history',
    },
    dc: {
      type: 'string',
      value: 'DC',
      description:
        'real Zoho only: data centre of the credentials (or ZOHO_DC; default us). The simulator always runs us and eu',
    },
  },
  details: [
    'Without Zoho credentials the sandbox simulates Zoho; with ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN (and ZOHO_DC) it refreshes a real connection against the real Zoho, still on the local emulator.',
    'With the real Zoho the token requests of the last 10 minutes are kept in .sandbox/zoho-calls.json (under a hash, never the token), so restarts share one budget of 9 per 10 minutes; use a refresh token that production does not also refresh.',
    "With the real Zoho the demo consumer is off (each Books call counts against the organisation's daily quota of 1,000 to 10,000 calls; --consumer-interval 300 or more turns it on) and nothing expires tokens early; the header line says so.",
  ],
  async run(ctx) {
    const text = (name: string) => stringOption(ctx.values, name);
    const optional = <K extends string, V>(key: K, value: V | undefined) =>
      (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
    await runSandbox({
      ...optional('awsEndpoint', text('aws-endpoint')),
      ...optional('region', text('region')),
      ...optional('zohoAccounts', text('zoho-accounts')),
      ...optional('clientId', text('client-id')),
      ...optional('clientSecret', text('client-secret')),
      ...optional('refreshToken', text('refresh-token')),
      ...optional('dc', text('dc')),
      ...optional('durationSeconds', number(text('duration'), 'duration')),
      ...optional('tokenLifetimeSeconds', number(text('token-lifetime'), 'token-lifetime')),
      ...optional('sweepIntervalSeconds', number(text('sweep-interval'), 'sweep-interval')),
      ...optional('consumerIntervalSeconds', number(text('consumer-interval'), 'consumer-interval')),
      ...optional('expireEverySeconds', number(text('expire-every'), 'expire-every')),
      env: ctx.io.env,
      out: { write: (chunk) => ctx.io.stdout.write(chunk), isTTY: ctx.io.isTTY },
    });
    return EXIT_OK;
  },
};

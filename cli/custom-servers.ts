/**
 * `--allow-custom-accounts-server`: a refresh token is only ever sent to one of Zoho's data centres,
 * unless the operator explicitly allows the accounts server of the connection(s) a command acts on
 * (the sandbox and the tests run a Zoho simulator on loopback).
 */
import type { Connection } from '../functions/core/connection';
import { isZohoAccountsServer } from '../functions/zoho/data-centres';
import type { OptionSpec, OptionValues } from './command';
import { UsageError } from './errors';

export const ALLOW_CUSTOM_OPTION: OptionSpec = {
  type: 'boolean',
  description:
    "allow an accounts server that is not one of Zoho's data centres (a simulator); never needed for real Zoho",
};

/** The option, for a command's `options`. */
export const allowCustomOption = { 'allow-custom-accounts-server': ALLOW_CUSTOM_OPTION } as const;

export function customAllowed(values: OptionValues): boolean {
  return values['allow-custom-accounts-server'] === true;
}

/**
 * A connection whose accounts server is not one of Zoho's, whatever its `dc` says: registered with
 * `--accounts-server`, or standing in for a data centre (the sandbox's simulator for `us` and `eu`).
 */
export const usesCustomServer = (connection: Pick<Connection, 'accountsServer'>): boolean =>
  !isZohoAccountsServer(connection.accountsServer);

/** ` --allow-custom-accounts-server` when an in-process command on `connection` needs it, else ''. */
export const allowFlagFor = (connection: Pick<Connection, 'accountsServer'>): string =>
  usesCustomServer(connection) ? ' --allow-custom-accounts-server' : '';

/** The flags that name where a connection lives, for a hint the operator can paste. */
export function locationFlags(connection: Pick<Connection, 'accountsServer' | 'dc'>): string {
  return usesCustomServer(connection)
    ? `--accounts-server ${connection.accountsServer}${allowFlagFor(connection)}`
    : `--dc ${connection.dc}`;
}

/** The custom accounts servers of `connections`, when the flag allows them; else none. */
export function allowedServersOf(values: OptionValues, connections: readonly Connection[]): string[] {
  if (!customAllowed(values)) return [];
  return [...new Set(connections.filter(usesCustomServer).map((c) => c.accountsServer))];
}

/**
 * Before an in-process refresh, revoke or sweep: an active connection on a custom server without the
 * flag is a usage error, caught before anything runs. Running it would refuse the server and mark
 * the connection misconfigured for a forgotten flag. (Against AWS the function's own setting decides.)
 */
export function refuseUnallowedCustomServers(values: OptionValues, connections: readonly Connection[]): void {
  if (customAllowed(values)) return;
  const ids = connections
    .filter((c) => usesCustomServer(c) && c.status === 'active')
    .map((c) => c.connectionId);
  if (ids.length === 0) return;
  throw new UsageError(
    `${ids.length === 1 ? `connection '${ids[0]}' uses` : `connections ${ids.map((id) => `'${id}'`).join(', ')} use`} an accounts server outside Zoho's data centres; nothing was sent`,
    'pass --allow-custom-accounts-server if that server is yours (a simulator)',
  );
}

/**
 * Zoho's data centres (ZOHO.md §4) and the guard that decides where a refresh token may be sent.
 * Tokens are bound to one data centre: token calls go to its accounts server, API calls to the
 * `api_domain` the token response names.
 */
import { InvalidInputError } from '../core/errors';

/** One Zoho data centre: the `location` of the authorisation redirect and its two hosts. */
export interface ZohoDataCentre {
  readonly dc: string;
  readonly accountsServer: string;
  readonly apiDomain: string;
}

/**
 * Every data centre Zoho documents. Canada is `zohocloud.ca` on the accounts side but `zohoapis.ca`
 * on the API side: n8n and Airbyte both built `accounts.zoho.ca`, which does not exist.
 */
export const ZOHO_DATA_CENTRES: readonly ZohoDataCentre[] = Object.freeze([
  { dc: 'us', accountsServer: 'https://accounts.zoho.com', apiDomain: 'https://www.zohoapis.com' },
  { dc: 'eu', accountsServer: 'https://accounts.zoho.eu', apiDomain: 'https://www.zohoapis.eu' },
  { dc: 'in', accountsServer: 'https://accounts.zoho.in', apiDomain: 'https://www.zohoapis.in' },
  { dc: 'au', accountsServer: 'https://accounts.zoho.com.au', apiDomain: 'https://www.zohoapis.com.au' },
  { dc: 'jp', accountsServer: 'https://accounts.zoho.jp', apiDomain: 'https://www.zohoapis.jp' },
  { dc: 'ca', accountsServer: 'https://accounts.zohocloud.ca', apiDomain: 'https://www.zohoapis.ca' },
  { dc: 'sa', accountsServer: 'https://accounts.zoho.sa', apiDomain: 'https://www.zohoapis.sa' },
  { dc: 'uk', accountsServer: 'https://accounts.zoho.uk', apiDomain: 'https://www.zohoapis.uk' },
  { dc: 'cn', accountsServer: 'https://accounts.zoho.com.cn', apiDomain: 'https://www.zohoapis.com.cn' },
]);

/** The `dc` of a connection whose accounts server an operator allowed explicitly (sandbox, tests). */
export const CUSTOM_DC = 'custom';

/** Where a connection's token calls go and, for a Zoho data centre, where its API calls go. */
export interface ResolvedDataCentre {
  /** A location of {@link ZOHO_DATA_CENTRES} or {@link CUSTOM_DC}. */
  readonly dc: string;
  /** Origin only: scheme, host and port, no trailing slash. */
  readonly accountsServer: string;
  /**
   * The data centre's API domain; undefined for a custom accounts server, whose API domain must
   * come from its token response (guessing it would send access tokens to the wrong host).
   */
  readonly apiDomain?: string;
}

export interface ResolveDataCentreInput {
  readonly dc?: string;
  readonly accountsServer?: string;
  /** Accounts servers outside Zoho's list that the operator allowed explicitly. */
  readonly allowedCustomServers?: readonly string[];
}

const byDc = new Map(ZOHO_DATA_CENTRES.map((entry) => [entry.dc, entry]));
const byHost = new Map(ZOHO_DATA_CENTRES.map((entry) => [new URL(entry.accountsServer).host, entry]));
/** `https://www.zohoapis.eu` → `zohoapis.eu`: the DNS zone of each data centre's API hosts. */
const apiZones = new Map(
  ZOHO_DATA_CENTRES.map((entry) => [entry.dc, new URL(entry.apiDomain).hostname.replace(/^www\./, '')]),
);
/** One or more DNS labels (letters, digits, inner hyphens) separated by single dots. */
const DNS_LABELS = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/**
 * Resolves exactly one of `dc` or `accountsServer` to a data centre. A known Zoho accounts server
 * maps to its location; any other host is refused unless it is in `allowedCustomServers`.
 * Throws InvalidInputError otherwise.
 */
export function resolveDataCentre(input: ResolveDataCentreInput): ResolvedDataCentre {
  const hasDc = input.dc !== undefined && input.dc !== '';
  const hasServer = input.accountsServer !== undefined && input.accountsServer !== '';
  if (hasDc === hasServer) {
    throw new InvalidInputError('give exactly one of a data centre (dc) or an accounts server URL');
  }
  if (hasDc) {
    const location = (input.dc as string).trim().toLowerCase();
    const known = byDc.get(location);
    if (known === undefined) {
      throw new InvalidInputError(
        `unknown Zoho data centre ${JSON.stringify(location.slice(0, 20))}; known: ${[...byDc.keys()].join(', ')} (or give --accounts-server)`,
      );
    }
    return { ...known };
  }
  const origin = normaliseAccountsServer(input.accountsServer as string);
  const known = zohoDataCentreOf(origin);
  if (known !== undefined) return { ...known };
  if (!normaliseList(input.allowedCustomServers).has(origin)) {
    throw new InvalidInputError(
      `accounts server ${origin} is not a Zoho data centre; a refresh token is only sent there when the operator allows it explicitly (--allow-custom-accounts-server)`,
    );
  }
  return { dc: CUSTOM_DC, accountsServer: origin };
}

/**
 * The guard run before every token call: true only for a Zoho accounts server over https or an
 * origin the operator allowed explicitly. A refresh token must never go to a host an attacker wrote
 * into the connection table. Never throws.
 */
export function isAllowedAccountsServer(url: string, allowedCustomServers: readonly string[] = []): boolean {
  let origin: string;
  try {
    origin = normaliseAccountsServer(url);
  } catch {
    return false;
  }
  return zohoDataCentreOf(origin) !== undefined || normaliseList(allowedCustomServers).has(origin);
}

/**
 * True when `url` is one of Zoho's own accounts servers. A connection can name a Zoho data centre and
 * still point elsewhere (the sandbox's simulator stands in for `us` and `eu`), so this, not `dc`,
 * says whether a token call needs an explicit allowance.
 */
export const isZohoAccountsServer = (url: string): boolean => isAllowedAccountsServer(url, []);

/**
 * Normalises an accounts server URL to its origin (`https://accounts.zoho.eu/` → `https://accounts.zoho.eu`).
 * Refuses what is not an http(s) URL, URLs with credentials (`https://accounts.zoho.com@evil.example`
 * is a classic disguise), and a Zoho host over plain http (the body carries the client secret).
 */
export function normaliseAccountsServer(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new InvalidInputError(`accounts server is not a URL: ${JSON.stringify(url.slice(0, 80))}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidInputError(`accounts server must be an https URL (got ${parsed.protocol})`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new InvalidInputError('accounts server URL must not carry credentials');
  }
  if (parsed.protocol !== 'https:' && isZohoHost(parsed.hostname)) {
    throw new InvalidInputError(`Zoho accounts server ${parsed.host} must be reached over https`);
  }
  return parsed.origin;
}

/**
 * The Zoho data centre whose accounts server `url` is (https, default port), or undefined for any
 * other server, a custom one included. Never throws.
 */
export function dataCentreOfAccountsServer(url: string): ZohoDataCentre | undefined {
  try {
    return zohoDataCentreOf(normaliseAccountsServer(url));
  } catch {
    return undefined;
  }
}

/**
 * True when `hostname` is one of Zoho's API hosts: in the zone of `dataCentre`'s API domain
 * (`zohoapis.eu` and any host under it, such as `www.zohoapis.eu`), or of any data centre when none
 * is given. Zoho's token answers name `www.zohoapis.<tld>`; its other API hosts (`sandbox.`,
 * `developer.`, `content.`) live in the same zone, which only Zoho can serve. The zone is matched
 * label by label: `www.zohoapis.com.au` is Australia's, never the US's `zohoapis.com`.
 */
export function isZohoApiHost(hostname: string, dataCentre?: ZohoDataCentre): boolean {
  const zones = dataCentre === undefined ? [...apiZones.values()] : [apiZones.get(dataCentre.dc)];
  return zones.some(
    (zone) =>
      zone !== undefined &&
      (hostname === zone ||
        (hostname.endsWith(`.${zone}`) && DNS_LABELS.test(hostname.slice(0, -zone.length - 1)))),
  );
}

/** `localhost`, `127.x.x.x` and `[::1]`: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** The Zoho data centre whose accounts server is exactly this origin (https, default port). */
function zohoDataCentreOf(origin: string): ZohoDataCentre | undefined {
  const known = byHost.get(new URL(origin).host);
  return known !== undefined && known.accountsServer === origin ? known : undefined;
}

function isZohoHost(hostname: string): boolean {
  return byHost.has(hostname.replace(/\.$/, ''));
}

/** Entries that are not URLs cannot match anything; the client factory refuses them up front. */
function normaliseList(servers: readonly string[] | undefined): Set<string> {
  const origins = new Set<string>();
  for (const server of servers ?? []) {
    try {
      origins.add(normaliseAccountsServer(server));
    } catch {
      // ignored on purpose: see above
    }
  }
  return origins;
}

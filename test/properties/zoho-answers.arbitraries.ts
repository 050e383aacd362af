/**
 * Arbitraries of what a Zoho accounts server (or anything pretending to be one) may answer, and of
 * where the answer comes from. Shared by the unit test and the bench (`npm run bench -- --only fuzz`).
 */
import fc from 'fast-check';
import type { ParseOptions } from '../../functions/zoho/token-response';

/** Secrets the parser is told to redact; the arbitraries echo them back in error bodies and hosts. */
export const FUZZ_SECRETS = ['test-rt-fuzz-0001', 'test-cs-fuzz-0002'] as const;

// Written out again from ZOHO.md §4: the oracle must not borrow the implementation's table.
const DATA_CENTRES = [
  ['us', 'https://accounts.zoho.com', 'zohoapis.com'],
  ['eu', 'https://accounts.zoho.eu', 'zohoapis.eu'],
  ['in', 'https://accounts.zoho.in', 'zohoapis.in'],
  ['au', 'https://accounts.zoho.com.au', 'zohoapis.com.au'],
  ['jp', 'https://accounts.zoho.jp', 'zohoapis.jp'],
  ['ca', 'https://accounts.zohocloud.ca', 'zohoapis.ca'],
  ['sa', 'https://accounts.zoho.sa', 'zohoapis.sa'],
  ['uk', 'https://accounts.zoho.uk', 'zohoapis.uk'],
  ['cn', 'https://accounts.zoho.com.cn', 'zohoapis.com.cn'],
] as const;
const ZONES = DATA_CENTRES.map(([, , zone]) => zone);
const SIMULATOR_ACCOUNTS = 'http://127.0.0.1:4599';
const CUSTOM_ACCOUNTS = 'https://accounts.example.test';
const CUSTOM_API = 'https://api.example.test';

/** Where an answer came from, what the parser is told, and what the oracle expects of a grant. */
export interface FuzzSource {
  readonly label: string;
  readonly options: ParseOptions;
  /** The shortest `expires_in` a grant from this source may carry. */
  readonly floor: number;
  /** Whether a grant from this source may name this `api_domain` origin. */
  readonly trusts: (url: URL) => boolean;
  /** API domains this source typically names (some of them refused), to make grants common. */
  readonly typicalApiDomains: readonly string[];
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const inZone = (host: string, zone: string) =>
  host === zone ||
  (host.endsWith(`.${zone}`) &&
    host
      .slice(0, -zone.length - 1)
      .split('.')
      .every((l) => LABEL.test(l)));
const isZohoApi = (url: URL, zones: readonly string[]) =>
  url.protocol === 'https:' && url.port === '' && zones.some((zone) => inZone(url.hostname, zone));
const isLoopback = (host: string) =>
  host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

const options = (accountsServer: string | undefined, allowed: readonly string[] = []): ParseOptions => ({
  redact: FUZZ_SECRETS,
  ...(accountsServer === undefined ? {} : { accountsServer }),
  allowedCustomOrigins: allowed,
});

export const FUZZ_SOURCES: readonly FuzzSource[] = [
  ...DATA_CENTRES.map(([dc, accountsServer, zone], i) => ({
    label: `zoho-${dc}`,
    options: options(accountsServer),
    floor: 300,
    trusts: (url: URL) => isZohoApi(url, [zone]),
    typicalApiDomains: [
      `https://www.${zone}`,
      `https://${zone}/`,
      `https://sandbox.${zone}`,
      `http://www.${zone}`,
      // Another data centre's: a token bound to one data centre must not be sent to another.
      `https://www.${ZONES[(i + 1) % ZONES.length]}`,
      // A host built from a secret: the message must not quote it.
      `https://${FUZZ_SECRETS[0]}.${zone}.evil.example`,
    ],
  })),
  {
    label: 'unknown',
    options: options(undefined),
    floor: 300,
    trusts: (url) => isZohoApi(url, ZONES),
    typicalApiDomains: ZONES.map((zone) => `https://www.${zone}`),
  },
  {
    label: 'simulator',
    options: options(SIMULATOR_ACCOUNTS, [SIMULATOR_ACCOUNTS]),
    floor: 10,
    trusts: (url) => isZohoApi(url, ZONES) || url.origin === SIMULATOR_ACCOUNTS || isLoopback(url.hostname),
    typicalApiDomains: [
      'http://127.0.0.1:38055',
      'http://localhost:9',
      SIMULATOR_ACCOUNTS,
      'http://10.0.0.8:80',
    ],
  },
  {
    label: 'custom',
    options: options(CUSTOM_ACCOUNTS, [CUSTOM_ACCOUNTS, CUSTOM_API]),
    floor: 300,
    trusts: (url) => isZohoApi(url, ZONES) || url.origin === CUSTOM_ACCOUNTS || url.origin === CUSTOM_API,
    typicalApiDomains: [
      CUSTOM_API,
      CUSTOM_ACCOUNTS,
      'https://www.zohoapis.eu',
      'https://api.example.test:8443',
    ],
  },
];

export const sourceArbitrary: fc.Arbitrary<FuzzSource> = fc.constantFrom(...FUZZ_SOURCES);

/** Every HTTP status a server could send, informational ones included. */
export const statusArbitrary = fc.integer({ min: 100, max: 599 });

/** Text with a redacted secret somewhere in it, or plain random text. */
const textEchoingSecrets = fc
  .tuple(fc.string({ maxLength: 20 }), fc.constantFrom('', ...FUZZ_SECRETS), fc.string({ maxLength: 20 }))
  .map((parts) => parts.join(''));

const zohoToken = fc.stringMatching(/^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);

export const accessTokenArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: zohoToken, weight: 8 },
  { arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,100}$/), weight: 2 },
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 90 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.integer({ min: 2040, max: 2060 }).map((length) => 'T'.repeat(length)),
  fc
    .tuple(zohoToken, fc.constantFrom(' ', '\t', '\r\nX-Injected: 1', '\u00a0', '\u0000', '\u007f', 'é'))
    .map(([token, inserted]) => `${token.slice(0, 10)}${inserted}${token.slice(10)}`),
  fc.constantFrom(undefined, '', null, '   ', 0, true),
  fc.integer(),
  fc.object({ maxDepth: 1 }),
);

/** Any lifetime, sane ones (for `floor`) weighted up so that grants are common. */
export function expiresInArbitrary(floor = 300): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.integer({ min: floor, max: 86_400 }), weight: 8 },
    fc.integer({ min: -10, max: 400 }),
    fc.integer({ min: 86_380, max: 86_420 }),
    fc.constantFrom(3600, 300, 299, 10, 9, 0, -0, 3600.5, 1e21, 3_600_000, Number.MAX_SAFE_INTEGER + 2),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 6 }),
    fc.constantFrom(undefined, null, true, '3600'),
  );
}

const hostArbitrary = fc.oneof(
  fc.constantFrom(
    ...ZONES.map((zone) => `www.${zone}`),
    ...ZONES,
    'sandbox.zohoapis.com',
    'www.zohoapis.com.evil.example',
    'evilzohoapis.com',
    'www-zohoapis.com',
    'accounts.zoho.com',
    'api.example.test',
    'accounts.example.test',
    'localhost',
    '127.0.0.1',
    '[::1]',
    `${FUZZ_SECRETS[0]}.evil.example`,
  ),
  fc.domain(),
  fc.ipV4(),
);

/** An api_domain built from parts, so that every rule (scheme, userinfo, port, path…) gets exercised. */
const composedUrl = fc
  .record({
    scheme: fc.constantFrom('https://', 'https://', 'http://', 'ftp://', ''),
    userinfo: fc.constantFrom('', '', 'user@', 'u:p@'),
    host: hostArbitrary,
    port: fc.oneof(
      fc.constant(''),
      fc.constantFrom(':443', ':80', ':4599'),
      fc.nat(65_535).map((p) => `:${p}`),
    ),
    rest: fc.constantFrom('', '', '/', '/books/v3', '/?x=1', '/#f', '?', '#'),
  })
  .map(({ scheme, userinfo, host, port, rest }) => `${scheme}${userinfo}${host}${port}${rest}`);

export const apiDomainArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  composedUrl,
  fc.webUrl(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom(null, '', 443, 'http://127.0.0.1:38055', CUSTOM_API),
);

const ERROR_NAMES = [
  'invalid_code',
  'invalid_grant',
  'invalid_token',
  'too_many_requests',
  'invalid_client',
  'invalid_client_secret',
  'invalid_redirect_uri',
  'Access Denied',
  '拒绝访问',
  'constructor',
  '__proto__',
];

export const errorArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...ERROR_NAMES),
  textEchoingSecrets,
  fc.constantFrom(null, 42),
);

/**
 * A JSON object shaped like a token answer from `source`: every field of a random shape or absent,
 * with sane values weighted up so that a good share of bodies are grants and the rest break one
 * limit or two. Undefined fields vanish from the JSON.
 */
export function tokenBodyFor(source?: FuzzSource): fc.Arbitrary<Record<string, unknown>> {
  const typical = source?.typicalApiDomains ?? [];
  return fc
    .tuple(
      fc.record({
        access_token: accessTokenArbitrary,
        expires_in: expiresInArbitrary(source?.floor),
        expires_in_sec: fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 4 },
          expiresInArbitrary(source?.floor),
        ),
        api_domain: fc.oneof(
          { arbitrary: typical.length > 0 ? fc.constantFrom(...typical) : apiDomainArbitrary, weight: 3 },
          { arbitrary: apiDomainArbitrary, weight: 2 },
          fc.constant(undefined),
        ),
        token_type: fc.oneof(
          fc.constant('Bearer'),
          fc.string({ maxLength: 10 }),
          fc.integer(),
          fc.constant(undefined),
        ),
        scope: fc.oneof(
          fc.constant('ZohoBooks.fullaccess.all'),
          fc.string({ maxLength: 10 }),
          fc.constant(undefined),
        ),
        refresh_token: fc.constantFrom(
          'test-rt-fuzz-granted',
          'test-rt-fuzz-granted',
          '',
          ' ',
          null,
          7,
          undefined,
        ),
        error: fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, errorArbitrary),
        error_description: fc.oneof(fc.constant(undefined), textEchoingSecrets),
        status: fc.constantFrom(undefined, 'failure', 'success', ' FAILURE ', '', 3),
      }),
      fc.dictionary(textEchoingSecrets, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
    )
    .map(([fields, extra]) => ({ ...extra, ...fields }));
}

/** A token-shaped body and the source that sent it. */
export const sourcedBodyArbitrary: fc.Arbitrary<readonly [FuzzSource, Record<string, unknown>]> =
  sourceArbitrary.chain((source) => tokenBodyFor(source).map((body) => [source, body] as const));

/** Token-shaped bodies with no source in mind. */
export const tokenBodyArbitrary = tokenBodyFor();

/** The text of an answer: random bytes, random JSON, random values, or a token-shaped object. */
export const answerTextArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.uint8Array({ maxLength: 256 }).map((bytes) => new TextDecoder().decode(bytes)),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.json({ maxDepth: 3 }),
  fc.anything({ maxDepth: 2 }).map((value) => safeStringify(value)),
  tokenBodyArbitrary.map((body) => JSON.stringify(body)),
);

/** `fc.anything` may build values JSON cannot write (undefined); they become an empty body. */
function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/**
 * Random "Zoho Token Rejected" payloads into the on-demand handler (before middleware): anything at
 * all, envelopes with random details, and near-valid reports whose fields stray one at a time. The
 * handler never throws for bad input, answers it `rejected` without a Zoho call or a write, and never
 * touches a connection the payload does not validly name. A well-formed report from the named
 * connection's own consumer gets exactly the answer the contract promises.
 */
import fc from 'fast-check';
import { createTokenRejectedHandler } from '../../functions/on-demand-refresh/token-rejected-handler';
import { InvariantChecker } from '../fault-matrix/invariants';
import { createProofWorld, type ProofWorld } from '../fault-matrix/proof-world';
import { reportEvent } from '../fault-matrix/report-events';
import { assertRuns, type ProofProperty } from './property';

const MIN = 60_000;
const REGISTERED = ['acme', 'other'] as const;

/** Who published the event: the named connection's consumer, another connection's, or nobody we know. */
type Publisher = 'own' | 'other' | 'random';

interface Payload {
  readonly publisher: Publisher;
  readonly randomSource: string;
  /** The whole event when not an envelope, else the envelope's detail. */
  readonly body: unknown;
  readonly envelope: boolean;
}

/** A refresh token of Zoho's shape (70 characters) pasted where an id belongs: never to be echoed. */
const PASTED_REFRESH_TOKEN = `1000.test-rt-${'0'.repeat(24)}.${'f'.repeat(32)}`;

const CONNECTION_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The contract of the detail, restated independently of the code under test. */
function validDetail(detail: unknown): detail is { connectionId: string; version: number } {
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return false;
  const d = detail as Record<string, unknown>;
  return (
    typeof d.connectionId === 'string' &&
    CONNECTION_ID.test(d.connectionId) &&
    Number.isSafeInteger(d.version) &&
    (d.version as number) >= 0 &&
    d.status === 401 &&
    (d.code === undefined || Number.isSafeInteger(d.code)) &&
    (d.requestId === undefined || (typeof d.requestId === 'string' && d.requestId.length <= 200))
  );
}

/** A detail the contract accepts: a registered connection (or an unknown one) and any version near its. */
const validDetailArb = fc.record(
  {
    connectionId: fc.constantFrom(...REGISTERED, 'ghost'),
    // The registered connections are at versions 3 and 5: reports of exactly those refresh.
    version: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(3, 5) }, fc.integer({ min: 0, max: 9 })),
    status: fc.constant(401),
    code: fc.constant(57),
    requestId: fc.string({ maxLength: 200 }),
  },
  { requiredKeys: ['connectionId', 'version', 'status'] },
);

/** One field replaced by a value the contract refuses (or by one it accepts, to stay honest). */
const stray = fc.oneof(
  fc.record({
    field: fc.constant('connectionId'),
    value: fc.oneof(
      fc.constantFrom('', ' acme', 'acme/other', 'a'.repeat(65), PASTED_REFRESH_TOKEN),
      fc.string(),
      fc.integer(),
      fc.constant(null),
    ),
  }),
  fc.record({
    field: fc.constant('version'),
    value: fc.oneof(
      fc.integer({ min: -3, max: -1 }),
      fc.double(),
      fc.constantFrom(Number.MAX_SAFE_INTEGER + 1, '3', null, Number.NaN, Number.POSITIVE_INFINITY),
    ),
  }),
  fc.record({ field: fc.constant('status'), value: fc.constantFrom(403, '401', 0, null, undefined) }),
  fc.record({ field: fc.constant('code'), value: fc.oneof(fc.double(), fc.string(), fc.constant(null)) }),
  fc.record({
    field: fc.constant('requestId'),
    value: fc.oneof(fc.string({ minLength: 201, maxLength: 260 }), fc.integer(), fc.constant(null)),
  }),
  fc.record({ field: fc.string({ maxLength: 12 }), value: fc.jsonValue({ maxDepth: 1 }) }),
);

const nearValidDetail = fc.oneof(
  { weight: 2, arbitrary: validDetailArb },
  {
    weight: 3,
    arbitrary: fc
      .tuple(validDetailArb, stray)
      .map(([detail, { field, value }]) => ({ ...detail, [field]: value })),
  },
);

const payload: fc.Arbitrary<Payload> = fc.record({
  publisher: fc.constantFrom<Publisher>('own', 'own', 'other', 'random'),
  randomSource: fc.string({ maxLength: 40 }),
  envelope: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
  body: fc.oneof({ weight: 4, arbitrary: nearValidDetail }, fc.anything(), fc.jsonValue()),
});

/** `acme`: a token minted a minute ago (v3). `other`: due now, its token (v5) alive 5 more minutes. */
async function world(): Promise<ProofWorld> {
  const w = createProofWorld();
  const now = w.fakes.clock.now();
  await w.addConnection({
    connectionId: 'acme',
    version: 3,
    expiresAt: now + 59 * MIN,
    refreshDueAt: now + 44 * MIN,
  });
  await w.addConnection({
    connectionId: 'other',
    version: 5,
    expiresAt: now + 5 * MIN,
    refreshDueAt: now - 1,
  });
  return w;
}

/** The source the payload's publisher uses: what the consumer library publishes for that connection. */
async function sourceOf(p: Payload, named: string): Promise<string> {
  if (p.publisher === 'random') return p.randomSource;
  const publisher = p.publisher === 'own' ? named : (REGISTERED.find((id) => id !== named) ?? 'acme');
  return (await reportEvent({ connectionId: publisher, version: 0, status: 401 })).source;
}

async function eventOf(p: Payload): Promise<unknown> {
  if (!p.envelope) return p.body;
  const named = validDetail(p.body) ? p.body.connectionId : 'acme';
  const genuine = await reportEvent({ connectionId: named, version: 0, status: 401 });
  return { ...genuine, source: await sourceOf(p, named), detail: p.body };
}

/** What the contract answers a well-formed report of `version` from the connection's own consumer. */
function promised(w: ProofWorld, id: string, version: number): string {
  const connection = w.fakes.store.items.get(id);
  const secret = w.fakes.vault.versions.get(id)?.at(-1)?.version ?? 0;
  if (!connection || version > secret) return 'rejected';
  if (version < connection.version) return 'skipped:already_refreshed';
  return 'refreshed';
}

const stateOf = (w: ProofWorld, id: string) =>
  JSON.stringify([w.fakes.store.items.get(id), w.fakes.vault.versions.get(id)]);

async function handlerKeepsItsWord(p: Payload): Promise<void> {
  // Prepare
  const w = await world();
  const checker = new InvariantChecker(w);
  const before = new Map(REGISTERED.map((id) => [id, stateOf(w, id)]));
  const event = await eventOf(p);
  const detail = p.envelope ? p.body : (event as { detail?: unknown } | null)?.detail;
  const named =
    validDetail(detail) && (REGISTERED as readonly string[]).includes(detail.connectionId)
      ? detail.connectionId
      : undefined;
  const expected = named && validDetail(detail) ? promised(w, named, detail.version) : 'rejected';

  // Act: a throw here fails the property
  const answer = await createTokenRejectedHandler(w.deps('on_demand'))(event);

  // Assess
  const outcome =
    answer.outcome === 'skipped' && 'reason' in answer ? `skipped:${answer.reason}` : answer.outcome;
  const bound = p.envelope && p.publisher === 'own';
  if (outcome !== expected && !(outcome === 'rejected' && !bound)) {
    throw new Error(`answered ${outcome}, the contract says ${expected}`);
  }
  const changed = REGISTERED.filter((id) => stateOf(w, id) !== before.get(id));
  if (changed.some((id) => id !== named))
    throw new Error(`changed ${changed.join(', ')}, named ${named ?? 'none'}`);
  const called = w.ledger.zohoCalls.filter((call) => call.connectionId !== named).length;
  if (called > 0) throw new Error(`${called} Zoho call(s) for a connection the payload did not name`);
  const broken = checker.check([answer]);
  if (broken.length > 0) throw new Error(broken.join('; '));
}

/** The on-demand handler under random payloads. */
export function reportPayloadProperties(numRuns: number): readonly ProofProperty[] {
  assertRuns(numRuns);
  return [
    {
      name: 'on-demand handler: any payload is answered, bad ones rejected, only the named connection refreshed',
      numRuns,
      run: () => fc.assert(fc.asyncProperty(payload, handlerKeepsItsWord), { numRuns }),
    },
  ];
}

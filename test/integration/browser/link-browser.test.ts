/**
 * The link flow in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core)
 * opens a link served by the local connect server, is sent to the Zoho simulator's consent page,
 * clicks Accept or Reject there, and follows Zoho's redirect back to the callback. Against moto and
 * the simulator; no network. Chromium missing is a failure, never a skip: `.ci/run` installs it.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectServer, startConnectServer } from '../../../dev/connect-server';
import { createConnectLink } from '../../../functions/core/connect-link';
import { CLIENT, linkWorld } from '../connect/link-world';
import { useEngineWorld } from '../engine/world';

/** Where Debian's `chromium` package puts the browser; CHROMIUM_PATH overrides it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const getWorld = useEngineWorld();
let browser: Browser;
let server: ConnectServer;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests need it (apt-get install -y chromium; .ci/run installs it), or set CHROMIUM_PATH`,
    );
  }
  const world = getWorld();
  const { deps } = linkWorld(world);
  server = await startConnectServer({ port: 0, dependencies: async () => deps });
  // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A link for `connectionId` in the simulator's US data centre, made as `link create` makes it. */
async function linkFor(connectionId: string): Promise<string> {
  const world = getWorld();
  const link = await createConnectLink(linkWorld(world).deps, server.baseUrl, {
    connectionId,
    clientRef: CLIENT.clientRef,
    location: { dc: 'us', accountsServer: world.sim.accountsServer('us') },
  });
  return link.url;
}

/** Opens the link, answers Zoho's consent page, and returns the page the flow ends on. */
async function consent(page: Page, url: string, choice: 'approve' | 'deny') {
  await page.goto(url);
  expect(new URL(page.url()).origin).toBe(getWorld().sim.accountsServer('us'));
  const [response] = await Promise.all([
    page.waitForResponse((answer) => new URL(answer.url()).pathname === '/callback'),
    page.click(`#${choice}`),
  ]);
  await page.waitForLoadState();
  return {
    status: response.status(),
    page: await page.getAttribute('main', 'data-page'),
    callback: response.url(),
  };
}

describe('a customer with a link, in Chromium', () => {
  it('approves on Zoho, lands on the success page, and the connection is active with a token', async () => {
    // Prepare
    const world = getWorld();
    const url = await linkFor('browser-approve');
    const page = await browser.newPage();
    world.sim.resetCounters();
    // Act
    const ended = await consent(page, url, 'approve');
    // Assess
    expect(ended).toMatchObject({ status: 200, page: 'connected' });
    expect(await page.textContent('h1')).toBe('Your Zoho account is connected');
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1, refresh_token: 1 });
    expect(await world.ports.store.get('browser-approve')).toMatchObject({ status: 'active', version: 1 });
    const secret = await world.readSecret('browser-approve');
    expect(secret?.value).toMatchObject({ connection_id: 'browser-approve', version: 1 });
    expect(String(secret?.value.access_token)).toContain('sim-at-');
    await page.close();
  });

  it('denies on Zoho, lands on the refusal page, and nothing is stored', async () => {
    // Prepare
    const world = getWorld();
    const url = await linkFor('browser-deny');
    const page = await browser.newPage();
    world.sim.resetCounters();
    // Act
    const ended = await consent(page, url, 'deny');
    // Assess
    expect(ended).toMatchObject({ status: 403, page: 'denied' });
    expect(world.sim.calls.token).toBe(0);
    expect(await world.ports.store.get('browser-deny')).toBeUndefined();
    await page.close();
  });

  it('replays a used link and its callback: both refused, no Zoho call, the connection untouched', async () => {
    // Prepare
    const world = getWorld();
    const url = await linkFor('browser-replay');
    const page = await browser.newPage();
    const first = await consent(page, url, 'approve');
    const stored = await world.ports.store.get('browser-replay');
    world.sim.resetCounters();
    // Act
    const reopened = await page.goto(url);
    const reopenedPage = await page.getAttribute('main', 'data-page');
    const recalled = await page.goto(first.callback);
    const recalledPage = await page.getAttribute('main', 'data-page');
    // Assess
    expect(first.page).toBe('connected');
    expect([reopened?.status(), reopenedPage]).toEqual([410, 'link_used']);
    expect([recalled?.status(), recalledPage]).toEqual([410, 'link_used']);
    expect(world.sim.calls.token).toBe(0);
    expect(await world.ports.store.get('browser-replay')).toEqual(stored);
    await page.close();
  });
});

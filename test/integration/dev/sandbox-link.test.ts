/**
 * The sandbox's third demo connection: the header shows a connect link, and following it through the
 * Zoho simulator's consent page (here with plain HTTP requests, as a browser would send them) adds
 * `demo-link` to the live table, refreshed like the other two.
 */
import { describe, expect, it } from 'vitest';
import { runSandbox } from '../../../dev/sandbox';

/** What a browser does with a link: open it, submit the consent form with Accept, follow the redirect. */
async function approveLink(url: string): Promise<{ status: number; page: string | undefined }> {
  const toConsent = await fetch(url, { redirect: 'manual' });
  const consentUrl = toConsent.headers.get('location') ?? '';
  const form = await (await fetch(consentUrl)).text();
  const fields = new URLSearchParams();
  for (const match of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.set(
      match[1] ?? '',
      (match[2] ?? '').replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))),
    );
  }
  fields.set('decision', 'approve');
  const decision = await fetch(new URL('/oauth/v2/auth/decision', consentUrl), {
    method: 'POST',
    body: fields,
    redirect: 'manual',
  });
  const callback = await fetch(decision.headers.get('location') ?? '', { redirect: 'manual' });
  const html = await callback.text();
  return { status: callback.status, page: /data-page="([a-z_]+)"/.exec(html)?.[1] };
}

describe('the sandbox link', () => {
  it('adds a third demo connection when a customer approves it', async () => {
    // Prepare
    const lines: string[] = [];
    const stop = new AbortController();
    let approved: Promise<{ status: number; page: string | undefined }> | undefined;
    // Act: approve as soon as the header shows the link; stop a few sweeps later
    const run = runSandbox({
      tokenLifetimeSeconds: 20,
      sweepIntervalSeconds: 1,
      consumerIntervalSeconds: 5,
      env: {},
      handleSignals: false,
      signal: stop.signal,
      out: {
        write: (text) => {
          lines.push(text);
          const url = /open (http:\/\/127\.0\.0\.1:\d+\/connect\?state=[\w-]+) and approve/.exec(text)?.[1];
          if (url !== undefined && approved === undefined) {
            approved = approveLink(url).finally(() => setTimeout(() => stop.abort(), 3_000));
          }
        },
        isTTY: false,
      },
    });
    const report = await run;
    // Assess
    expect(await approved).toEqual({ status: 200, page: 'connected' });
    const added = report.finalState.find((c) => c.connectionId === 'demo-link');
    expect(added).toMatchObject({ status: 'active', clientRef: 'sandbox', dc: 'us' });
    expect(added?.version).toBe(1);
    expect(lines.join('')).not.toMatch(/sim-rt-|sim-at-|sim-gc-/);
  });
});

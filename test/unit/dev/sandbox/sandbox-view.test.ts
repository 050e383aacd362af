import { describe, expect, it } from 'vitest';
import type { SandboxEvent, TimedEvent } from '../../../../dev/sandbox/events';
import { renderServed, SandboxView } from '../../../../dev/sandbox/view';

const AT = new Date(2026, 10, 26, 8, 0, 0).getTime();
const timed = (event: SandboxEvent, seconds: number) => ({ ...event, at: AT + seconds * 1000 }) as TimedEvent;
const ok = (connectionId: string, version: number, afterRejection = false): SandboxEvent => ({
  kind: 'consumer-ok',
  connectionId,
  version,
  afterRejection,
});

/** 30 s of a sandbox: a refresh, then two consumers answered 200 every 3 s, then a 401. */
function thirtySeconds(view: SandboxView): void {
  view.event(
    timed(
      {
        kind: 'refresh',
        connectionId: 'demo-us',
        trigger: 'scheduled',
        outcome: 'refreshed',
        version: 1,
        zohoCalls: 1,
      },
      0,
    ),
  );
  for (let second = 1; second <= 30; second += 3) {
    view.event(timed(ok('demo-us', 1), second));
    view.event(timed(ok('demo-eu', 2), second));
  }
  view.event(timed({ kind: 'consumer-401', connectionId: 'demo-us', version: 1, reported: true }, 31));
  view.event(timed(ok('demo-us', 2, true), 32));
}

describe('the sandbox view folds the Books calls answered 200 into a count per connection', () => {
  it('keeps the refreshes and 401s in the recent events of a terminal, with one count line per connection', () => {
    // Prepare
    let written = '';
    const view = new SandboxView({ write: (text: string) => (written += text), isTTY: true });
    view.table(['connection  dc']);

    // Act
    thirtySeconds(view);
    view.redraw();

    // Assess
    expect(written.split('\n')).toEqual([
      '',
      'connection  dc',
      '',
      'Demo consumer:',
      '  demo-us  11 Books calls answered 200, the last with v2',
      '  demo-eu  10 Books calls answered 200, the last with v2',
      '',
      'Recent events:',
      '08:00:00  demo-us  refreshed v1 (scheduled, 1 Zoho call)',
      '08:00:31  demo-us  consumer: Books answered 401 to v1; reported "Zoho Token Rejected"',
      '08:00:32  demo-us  consumer: Books answered 200 with v2 after the refresh',
      '',
    ]);
  });

  it('prints no line per routine call to a pipe, and the counts under each table', () => {
    // Prepare
    let written = '';
    const view = new SandboxView({ write: (text: string) => (written += text), isTTY: false });
    view.table(['connection  dc']);

    // Act
    thirtySeconds(view);
    view.printTable('Final state:');

    // Assess
    expect(written.split('\n')).toEqual([
      '08:00:00  demo-us  refreshed v1 (scheduled, 1 Zoho call)',
      '08:00:31  demo-us  consumer: Books answered 401 to v1; reported "Zoho Token Rejected"',
      '08:00:32  demo-us  consumer: Books answered 200 with v2 after the refresh',
      'Final state:',
      '  connection  dc',
      'Demo consumer:',
      '  demo-us  11 Books calls answered 200, the last with v2',
      '  demo-eu  10 Books calls answered 200, the last with v2',
      '',
    ]);
  });

  it('says "1 Books call" for one', () => {
    expect(renderServed(new Map([['demo-eu', { calls: 1, version: 3 }]]))).toEqual([
      'demo-eu  1 Books call answered 200, the last with v3',
    ]);
  });
});

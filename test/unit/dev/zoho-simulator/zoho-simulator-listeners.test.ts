import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_DCS, type SimDc } from '../../../../dev/zoho-simulator/dcs';
import {
  type DcListeners,
  listenPerDc,
  SIM_ROLES,
  type SimRole,
} from '../../../../dev/zoho-simulator/listeners';

const bindFree = (server: Server, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });

/** Every origin of every DC, DC by DC, accounts before api. */
const allOrigins = ({ origins }: DcListeners) =>
  SIM_DCS.flatMap((dc) => SIM_ROLES.map((role) => origins[dc][role]));

describe('Zoho simulator: two listeners per data centre', () => {
  let listeners: DcListeners | undefined;
  afterEach(async () => {
    await listeners?.close();
    listeners = undefined;
  });

  it('answers each DC and role on its own origin with the listener made for it', async () => {
    // Prepare: each listener answers with the DC and role it was made for
    listeners = await listenPerDc('127.0.0.1', (dc, role) => (_req, res) => res.end(`${dc} ${role}`));
    const origins = allOrigins(listeners);
    // Act
    const answers = await Promise.all(origins.map(async (origin) => (await fetch(origin)).text()));
    // Assess
    expect(answers).toEqual(SIM_DCS.flatMap((dc) => [`${dc} accounts`, `${dc} api`]));
    expect(new Set(origins).size).toBe(18);
  });

  it('closes the listeners that did start when one cannot, and rethrows its error', async () => {
    // Prepare: every listener binds except cn's api domain
    const seen: Server[] = [];
    const bind = (server: Server, host: string, dc: SimDc, role: SimRole) => {
      seen.push(server);
      const fails = dc === 'cn' && role === 'api';
      return fails ? Promise.reject(new Error('cn api cannot listen')) : bindFree(server, host);
    };
    // Act
    const started = listenPerDc('127.0.0.1', () => (_req, res) => res.end(), bind);
    // Assess
    await expect(started).rejects.toThrow('cn api cannot listen');
    expect(seen).toHaveLength(18);
    expect(seen.filter((server) => server.listening)).toHaveLength(0);
  });

  it('close() ends every listener, open keep-alive sockets included', async () => {
    // Prepare: a keep-alive socket open on each origin
    listeners = await listenPerDc('127.0.0.1', () => (_req, res) => res.end('ok'));
    const origins = allOrigins(listeners);
    await Promise.all(origins.map(async (origin) => (await fetch(origin)).text()));
    // Act
    await listeners.close();
    // Assess
    for (const origin of origins) await expect(fetch(origin)).rejects.toThrow(TypeError);
  });
});

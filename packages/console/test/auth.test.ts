import { request } from 'node:http';
import { expect } from 'chai';
import { buildConsole, credentialsFromEnvironment } from '@ricochet/console';
import type { AuditEntry } from '@ricochet/archive';
import { ConfigError } from '@ricochet/core';
import { testLogger } from '@ricochet/testing';
import { createValueDescriber } from '@ricochet/value-decoder';
import {
  deadLetter,
  operatorToken,
  startTestConsole,
  viewerToken,
  viewerUser,
  type ConsoleFixture,
} from './console-fixture.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (name: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`,
});

describe('console authentication', () => {
  let fixture: ConsoleFixture;
  let url: string;

  before(async () => {
    fixture = await startTestConsole([deadLetter(), deadLetter()]);
    url = fixture.console.url;
  });
  after(async () => fixture.close());

  it('refuses to start on a non-loopback address without a secret', async () => {
    const logger = testLogger('console');
    const start = buildConsole({
      store: fixture.store,
      describer: createValueDescriber({ logger }),
      logger,
      credentials: credentialsFromEnvironment({}),
      host: '0.0.0.0',
      port: 0,
      localActor: 'nobody',
    });
    const error = await start.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).field).to.equal('--host');
    expect((error as Error).message).to.include('RICOCHET_CONSOLE_OPERATOR_TOKEN');
  });

  it('answers 401 to pages and the API without credentials, and health without', async () => {
    for (const path of [
      '/records',
      '/records/1',
      '/overview',
      '/api/v1/records',
      '/api/v1/records/1',
    ]) {
      const response = await fetch(`${url}${path}`, { redirect: 'manual' });
      expect(response.status, path).to.equal(401);
    }
    const page = await fetch(`${url}/records`);
    expect(await page.text()).to.include('Sign in');
    expect((await fetch(`${url}/healthz`)).status).to.equal(200);
    expect((await fetch(`${url}/readyz`)).status).to.equal(200);
  });

  it('answers 401 to a wrong token or password', async () => {
    expect(
      (await fetch(`${url}/api/v1/records`, { headers: bearer('x'.repeat(30)) })).status,
    ).to.equal(401);
    expect(
      (await fetch(`${url}/api/v1/records`, { headers: basic(viewerUser.name, 'wrong-password') }))
        .status,
    ).to.equal(401);
  });

  it('lets a viewer read and refuses a viewer’s action with 403', async () => {
    const list = await fetch(`${url}/api/v1/records`, { headers: bearer(viewerToken) });
    expect(list.status).to.equal(200);
    expect(((await list.json()) as { total: number }).total).to.equal(2);
    const byPassword = await fetch(`${url}/api/v1/records`, {
      headers: basic(viewerUser.name, viewerUser.password),
    });
    expect(byPassword.status).to.equal(200);
    const purge = await fetch(`${url}/api/v1/purges`, {
      method: 'POST',
      headers: { ...bearer(viewerToken), 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [1] }),
    });
    expect(purge.status).to.equal(403);
    expect((await fixture.store.get(1))?.status).to.equal('archived');
    for (const path of [
      '/api/v1/replays/plan',
      '/api/v1/replays',
      '/api/v1/jobs/1/stop',
      '/api/v1/jobs/1/resume',
    ]) {
      const refused = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...bearer(viewerToken), 'content-type': 'application/json' },
        body: JSON.stringify({ ids: [1] }),
      });
      expect(refused.status, path).to.equal(403);
    }
    expect((await fetch(`${url}/api/v1/audit`, { headers: bearer(viewerToken) })).status).to.equal(
      200,
    );
    expect(await fixture.store.listReplayJobs({}, { limit: 1 })).to.deep.include({ jobs: [] });
  });

  it('lets an operator’s token act through the API', async () => {
    const purge = await fetch(`${url}/api/v1/purges`, {
      method: 'POST',
      headers: { ...bearer(operatorToken), 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [2] }),
    });
    expect(purge.status).to.equal(200);
    expect(await purge.json()).to.deep.equal({ purged: 1 });
    const audit = await fetch(`${url}/api/v1/audit?action=purge`, { headers: bearer(viewerToken) });
    const [entry] = ((await audit.json()) as { entries: AuditEntry[] }).entries;
    expect(entry).to.deep.include({
      origin: 'api',
      action: 'purge',
      target: { ids: [2] },
      outcome: { purged: 1 },
    });
    // The token's role and fingerprint, never the token.
    expect(entry!.actor).to.match(/^operator-token:[0-9a-f]+$/);
    expect(entry!.actor).not.to.include(operatorToken);
  });

  it('says why a console without brokers cannot replay, and still plans one', async () => {
    const replay = (path: string) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...bearer(operatorToken), 'content-type': 'application/json' },
        body: JSON.stringify({ ids: [1] }),
      });
    const plan = await replay('/api/v1/replays/plan');
    expect(plan.status).to.equal(200);
    expect(await plan.json()).to.deep.include({ replay: 1, refused: 0, failed: 0 });
    const refused = await replay('/api/v1/replays');
    expect(refused.status).to.equal(503);
    expect(((await refused.json()) as { error: string }).error).to.include('without brokers');
  });

  it('refuses a signed-in browser’s POST without the CSRF token, or from another origin', async () => {
    const loginPage = await fetch(`${url}/login`);
    const csrfCookie = loginPage.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const token = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())?.[1] ?? '';
    const signIn = await fetch(`${url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: csrfCookie,
        origin: url,
      },
      body: new URLSearchParams({
        _csrf: token,
        token: operatorToken,
        next: '/records',
      }).toString(),
    });
    expect(signIn.status).to.equal(303);
    const cookies = [
      csrfCookie,
      ...signIn.headers.getSetCookie().map((line) => line.split(';')[0]),
    ].join('; ');
    const post = (body: Record<string, string>, origin: string) =>
      fetch(`${url}/records/purge`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies, origin },
        body: new URLSearchParams(body).toString(),
      });
    expect((await post({ scope: 'selection', id: '1' }, url)).status, 'no token').to.equal(403);
    expect(
      (await post({ scope: 'selection', id: '1', _csrf: 'forged' }, url)).status,
      'forged token',
    ).to.equal(403);
    expect(
      (await post({ scope: 'selection', id: '1', _csrf: token }, 'http://evil.example')).status,
      'other origin',
    ).to.equal(403);
    expect((await fixture.store.get(1))?.status).to.equal('archived');
    expect(
      (await post({ scope: 'selection', id: '1', _csrf: token }, url)).status,
      'genuine',
    ).to.equal(200);
    expect((await fixture.store.get(1))?.status).to.equal('purged');
  });
});

describe('console without credentials', () => {
  let fixture: ConsoleFixture;

  before(async () => {
    fixture = await startTestConsole([deadLetter()], { environment: {} });
  });
  after(async () => fixture.close());

  it('serves its loopback address openly, and no other Host name (DNS rebinding)', async () => {
    const { url } = fixture.console;
    expect((await fetch(`${url}/records`)).status).to.equal(200);
    // fetch sets Host itself; a plain request sends the name a rebound DNS entry would carry.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(`${url}/records`, { headers: { host: 'attacker.example' } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(status).to.equal(421);
  });

  it('still wants the CSRF token for a POST', async () => {
    const response = await fetch(`${fixture.console.url}/records/purge`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'scope=selection&id=1',
    });
    expect(response.status).to.equal(403);
    expect((await fixture.store.get(1))?.status).to.equal('archived');
  });
});

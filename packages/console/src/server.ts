import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import { ConfigError } from '@ricochet/core';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { registerApi } from './api.js';
import { loadAssets } from './assets.js';
import { sessionCookie, type ConsoleContext, type ConsoleOptions } from './context.js';
import {
  checkBind,
  decodeSession,
  hasCredentials,
  isLoopbackHost,
  principalForAuthorization,
  principalForSession,
  type Principal,
  type Role,
} from './auth.js';
import { registerOperationPages } from './operation-pages.js';
import { registerPages } from './pages.js';
import { createActions } from './actions.js';
import { ConsoleRequestError } from './errors.js';
import { createViews, viewHelpers } from './views.js';

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const roleRank: Readonly<Record<Role, number>> = { viewer: 1, operator: 2 };

function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/**
 * The Host a browser sent must be one of this machine's names when the console runs open: a page
 * elsewhere that rebinds its own name to 127.0.0.1 (DNS rebinding) must not reach it.
 */
function hostIsLoopback(request: FastifyRequest): boolean {
  const host = request.headers.host ?? '';
  const name = host.replace(/:\d+$/, '');
  return isLoopbackHost(name);
}

/** Same origin as the console, by the Origin header (or the Referer when a browser omits it). */
function sameOrigin(request: FastifyRequest): boolean {
  const expected = `${request.protocol}://${request.headers.host ?? ''}`;
  const origin = request.headers.origin;
  if (origin !== undefined) {
    return origin === expected;
  }
  const referer = request.headers.referer;
  return referer === undefined || referer.startsWith(`${expected}/`);
}

/** Builds the console's server: pages, API, assets and health endpoints, not yet listening. */
export async function buildConsole(options: ConsoleOptions): Promise<FastifyInstance> {
  checkBind(options.host, options.credentials);
  const open = !hasCredentials(options.credentials);
  const now = options.now ?? Date.now;
  const secret = options.sessionSecret ?? randomBytes(32).toString('base64url');
  const assets = loadAssets();
  const views = createViews();
  const app = Fastify({ logger: false, trustProxy: false, bodyLimit: 1024 * 1024 });
  await app.register(cookie, { secret });
  await app.register(formbody);
  await app.register(csrfProtection, {
    cookieKey: 'ricochet_csrf',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, signed: true },
  });
  app.decorateRequest('principal', undefined);
  app.decorateRequest('viaAuthorizationHeader', false);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Content-Security-Policy', contentSecurityPolicy);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'same-origin');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cache-Control', 'no-store');
    if (open && !hostIsLoopback(request)) {
      throw new ConsoleRequestError(421, 'this console answers to its loopback address only');
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    // A route that forgot to say is for operators; a missing page is for anyone signed in.
    const access = request.routeOptions.config.access ?? (request.is404 ? 'viewer' : 'operator');
    if (access === 'public') {
      return;
    }
    request.principal = authenticate(request, reply);
    if (request.principal === undefined) {
      throw new ConsoleRequestError(401, 'sign in to use the console');
    }
    if (roleRank[request.principal.role] < roleRank[access]) {
      throw new ConsoleRequestError(
        403,
        `this needs the operator role; you are a ${request.principal.role}`,
      );
    }
  });

  /** Every POST not signed by an Authorization header: same origin, and the CSRF token. */
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method !== 'POST' || request.viaAuthorizationHeader) {
      done();
      return;
    }
    if (!sameOrigin(request)) {
      done(new ConsoleRequestError(403, 'cross-origin request refused'));
      return;
    }
    app.csrfProtection(request, reply, done);
  });

  function authenticate(request: FastifyRequest, reply: FastifyReply): Principal | undefined {
    const byHeader = principalForAuthorization(options.credentials, request.headers.authorization);
    if (byHeader !== undefined) {
      request.viaAuthorizationHeader = byHeader !== null;
      return byHeader ?? undefined;
    }
    if (open) {
      return { actor: options.localActor, role: 'operator' };
    }
    const cookieValue = request.cookies[sessionCookie];
    if (cookieValue === undefined) {
      return undefined;
    }
    const unsigned = reply.unsignCookie(cookieValue);
    const claim =
      unsigned.valid && unsigned.value !== null ? decodeSession(unsigned.value) : undefined;
    return claim === undefined ? undefined : principalForSession(options.credentials, claim, now());
  }

  app.setErrorHandler((error: FastifyError | ConsoleRequestError, request, reply) => {
    const statusCode =
      error instanceof ConsoleRequestError
        ? error.statusCode
        : error.code === ConfigError.code
          ? 400
          : (error.statusCode ?? 500);
    // A refusal the console chose (503: no brokers to replay with) says why; a failure does not.
    const failed = statusCode >= 500 && !(error instanceof ConsoleRequestError);
    const message = failed ? 'the console failed; its log says why' : error.message;
    if (failed) {
      options.logger.error('console request failed', { url: request.url, error });
    } else {
      options.logger.debug('console request refused', { url: request.url, statusCode, message });
    }
    if (statusCode === 401) {
      reply.header('WWW-Authenticate', 'Bearer realm="ricochet-console"');
    }
    if (isApi(request) || request.url.startsWith('/healthz') || request.url.startsWith('/readyz')) {
      return reply.status(statusCode).send({ error: message });
    }
    if (statusCode === 401) {
      return reply
        .status(401)
        .type('text/html; charset=utf-8')
        .send(
          context.render(request, reply, 'login', {
            title: 'Sign in',
            active: 'login',
            next: request.url,
            failed: false,
          }),
        );
    }
    return reply
      .status(statusCode)
      .type('text/html; charset=utf-8')
      .send(
        context.render(request, reply, 'error', {
          title: statusCode === 404 ? 'Not found' : 'Refused',
          active: '',
          statusCode,
          message,
        }),
      );
  });

  app.setNotFoundHandler(async () => {
    throw new ConsoleRequestError(404, 'there is no such page');
  });

  const actions = createActions(options.store, options.logger, options.openPublisher);
  // Replay jobs running here stop (saved `stopped`, resumable) before the server is gone.
  app.addHook('onClose', async () => actions.close());
  const context: ConsoleContext = {
    ...options,
    now,
    assets,
    actions,
    render: (request, reply, view, page) =>
      views.render(`./${view}`, {
        ...page,
        principal: request.principal,
        signedIn: !open && request.principal !== undefined,
        csrfToken: reply.generateCsrf(),
        assets,
        h: viewHelpers,
      }),
  };

  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    try {
      await options.store.list({}, { limit: 1 });
      return { status: 'ready' };
    } catch (error) {
      options.logger.warn('the archive does not answer', { error });
      return reply.status(503).send({ status: 'archive unavailable' });
    }
  });
  // Browsers ask for it on every first visit; the console has none.
  app.get('/favicon.ico', { config: { access: 'public' } }, async (_request, reply) =>
    reply.status(204).send(),
  );
  app.get<{ Params: { file: string } }>(
    '/static/:file',
    { config: { access: 'public' } },
    async (request, reply) => {
      const found = [...assets.values()].find(
        (item) => item.path === `/static/${request.params.file}`,
      );
      if (found === undefined) {
        throw new ConsoleRequestError(404, 'no such file');
      }
      return reply
        .header('Cache-Control', 'public, max-age=31536000, immutable')
        .type(found.contentType)
        .send(found.body);
    },
  );
  registerPages(app, context);
  registerOperationPages(app, context);
  registerApi(app, context);
  return app;
}

/** A running console: where it listens, and how to stop it. */
export interface RunningConsole {
  readonly url: string;
  close(): Promise<void>;
}

/** Builds the console and listens on its host and port (0: any free port). */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const app = await buildConsole(options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  options.logger.info('console listening', { url, open: !hasCredentials(options.credentials) });
  return { url, close: () => app.close() };
}

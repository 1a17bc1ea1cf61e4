import { deadLetterReasons, headerDescriptions } from '@ricochet/core';
import { hexDump, isReadableText } from '@ricochet/value-decoder';
import { decodeUtf8 } from '@ricochet/core';
import type { FastifyInstance } from 'fastify';
import { encodeSession, principalForPassword, principalForToken, sessionSubject } from './auth.js';
import { hexViewBytes, overviewWindows, sessionLifetimeMs } from './defaults.js';
import { deadLetterFormat, retryHistory } from './insight.js';
import { overviewOf } from './overview.js';
import { checkTarget } from './actions.js';
import { filterFormFrom, filterFromForm, idsFromForm, queryString } from './query.js';
import { recordsPage, type RecordOrder } from './records.js';
import { replayedFrom, replaysOf } from './replays.js';
import { selectionFromForm } from './selection.js';
import { ConsoleRequestError } from './errors.js';
import { sessionCookie, type ConsoleContext } from './context.js';

type Query = Record<string, string | undefined>;
type Form = Record<string, string | string[] | undefined>;

/** A path on this console to go back to after signing in; anything else goes to the records. */
function localPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/records';
}

/** Bytes as text when they are printable UTF-8; null for bytes that are not. */
function readable(bytes: Buffer | null): string | null {
  if (bytes === null) {
    return null;
  }
  const text = decodeUtf8(bytes);
  return text !== undefined && isReadableText(text) ? text : null;
}

export function registerPages(app: FastifyInstance, context: ConsoleContext): void {
  const { store, render } = context;
  const html = 'text/html; charset=utf-8';

  app.get('/', { config: { access: 'viewer' } }, async (_request, reply) =>
    reply.redirect('/records'),
  );

  app.get<{ Querystring: Query }>(
    '/login',
    { config: { access: 'public' } },
    async (request, reply) =>
      reply.type(html).send(
        render(request, reply, 'login', {
          title: 'Sign in',
          active: 'login',
          next: localPath(request.query.next),
          failed: false,
        }),
      ),
  );

  app.post<{ Body: Form }>('/login', { config: { access: 'public' } }, async (request, reply) => {
    const { name, password, token, next } = request.body;
    const principal =
      typeof token === 'string' && token !== ''
        ? principalForToken(context.credentials, token)
        : typeof name === 'string' && typeof password === 'string'
          ? principalForPassword(context.credentials, name, password)
          : undefined;
    if (principal === undefined) {
      context.logger.warn('console sign-in refused', {
        name: typeof name === 'string' ? name : undefined,
      });
      return reply
        .status(401)
        .type(html)
        .send(
          render(request, reply, 'login', {
            title: 'Sign in',
            active: 'login',
            next: localPath(next),
            failed: true,
          }),
        );
    }
    const claim = {
      subject: sessionSubject(context.credentials, principal),
      expiresAt: context.now() + sessionLifetimeMs,
    };
    context.logger.info('console sign-in', { actor: principal.actor, role: principal.role });
    return reply
      .setCookie(sessionCookie, encodeSession(claim), {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        signed: true,
        maxAge: sessionLifetimeMs / 1_000,
      })
      .redirect(localPath(next), 303);
  });

  app.post('/logout', { config: { access: 'viewer' } }, async (_request, reply) =>
    reply.clearCookie(sessionCookie, { path: '/' }).redirect('/login', 303),
  );

  app.get<{ Querystring: Query }>(
    '/records',
    { config: { access: 'viewer' } },
    async (request, reply) => {
      const form = filterFormFrom(request.query);
      const filter = filterFromForm(form, context.now());
      const [page, total] = await Promise.all([
        recordsPage(store, filter, request.query),
        store.count(filter),
      ]);
      const limit = request.query.limit;
      const kept = { ...(limit === undefined ? {} : { limit }) };
      const ordered = (order: RecordOrder) =>
        `/records${queryString(form, { ...kept, ...(order === 'oldest' ? { order } : {}) })}`;
      return reply.type(html).send(
        render(request, reply, 'records', {
          title: 'Records',
          active: 'records',
          form,
          order: page.order,
          records: page.records,
          total,
          reasons: deadLetterReasons,
          nextLink:
            page.next === undefined
              ? undefined
              : `/records${queryString(form, { ...kept, ...page.next })}`,
          firstLink:
            request.query.cursor === undefined && request.query.after === undefined
              ? undefined
              : ordered(page.order),
          newestLink: ordered('newest'),
          oldestLink: ordered('oldest'),
          filterQuery: queryString(form),
        }),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/records/:id',
    { config: { access: 'viewer' } },
    async (request, reply) => {
      const [id] = idsFromForm(request.params.id);
      const record = await store.get(id!);
      if (record === undefined) {
        throw new ConsoleRequestError(404, `no archived record has id ${id}`);
      }
      const [value, replays] = await Promise.all([
        context.describer.describe(record.value),
        replaysOf(store, record),
      ]);
      return reply.type(html).send(
        render(request, reply, 'record', {
          title: `Record ${record.id}`,
          active: 'records',
          record,
          value,
          format: deadLetterFormat(record),
          key: readable(record.key),
          keyHex: record.key === null ? null : hexDump(record.key, hexViewBytes),
          valueHex: record.value === null ? null : hexDump(record.value, hexViewBytes),
          headers: record.headers.map((header) => ({
            name: header.name,
            text: readable(header.value),
            hex: header.value.toString('hex'),
            description: headerDescriptions.get(header.name),
          })),
          history: retryHistory(record),
          replays,
          replayOf: replayedFrom(record),
        }),
      );
    },
  );

  app.get<{ Querystring: Query }>(
    '/overview',
    { config: { access: 'viewer' } },
    async (request, reply) => {
      const window = overviewWindows.find((candidate) => candidate === request.query.window);
      const overview = await overviewOf(store, window, context.now());
      return reply.type(html).send(
        render(request, reply, 'overview', {
          title: 'Overview',
          active: 'overview',
          overview,
          windows: overviewWindows,
        }),
      );
    },
  );

  app.post<{ Body: Form }>(
    '/records/purge/confirm',
    { config: { access: 'operator' } },
    async (request, reply) => {
      const selection = selectionFromForm(request.body, context.now());
      checkTarget(selection.filter);
      const total = await store.count(selection.filter);
      return reply.type(html).send(
        render(request, reply, 'purge-confirm', {
          title: 'Purge',
          active: 'records',
          ...selection,
          total,
        }),
      );
    },
  );

  app.post<{ Body: Form }>(
    '/records/purge',
    { config: { access: 'operator' } },
    async (request, reply) => {
      const selection = selectionFromForm(request.body, context.now());
      const purged = await context.actions.purge(selection.filter, request.principal!, 'ui');
      return reply.type(html).send(
        render(request, reply, 'done', {
          title: 'Purged',
          active: 'records',
          message: `purged ${purged} record${purged === 1 ? '' : 's'}`,
          back: `/records${selection.filterQuery}`,
        }),
      );
    },
  );
}

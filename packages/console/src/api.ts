import { recordAsJson } from '@ricochet/archive';
import { headerDescriptions } from '@ricochet/core';
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from './context.js';
import { ConsoleRequestError } from './errors.js';
import { retryHistory } from './insight.js';
import { overviewOf } from './overview.js';
import { overviewWindows } from './defaults.js';
import { filterFormFrom, filterFromForm, idsFromForm } from './query.js';
import { countRecords, pageLimit } from './records.js';

type Query = Record<string, string | undefined>;

/**
 * The JSON API under /api/v1, over the same store and with the same authentication and roles as
 * the pages. Scripts sign requests with `Authorization: Bearer <token>` (or Basic); a browser's
 * session works too, and then POSTs need the CSRF token (`csrf-token` header).
 */
export function registerApi(app: FastifyInstance, context: ConsoleContext): void {
  const { store } = context;

  app.get<{ Querystring: Query }>(
    '/api/v1/records',
    { config: { access: 'viewer' } },
    async (request) => {
      const filter = filterFromForm(filterFormFrom(request.query), context.now());
      const limit = pageLimit(request.query.limit);
      const cursor = request.query.cursor;
      const [page, total] = await Promise.all([
        store.list(filter, cursor === undefined || cursor === '' ? { limit } : { limit, cursor }),
        request.query.count === 'false' ? undefined : countRecords(store, filter),
      ]);
      return {
        records: page.records.map(recordAsJson),
        nextCursor: page.nextCursor ?? null,
        ...(total === undefined ? {} : { total }),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/records/:id',
    { config: { access: 'viewer' } },
    async (request) => {
      const [id] = idsFromForm(request.params.id);
      const record = await store.get(id!);
      if (record === undefined) {
        throw new ConsoleRequestError(404, `no archived record has id ${id}`);
      }
      return {
        ...recordAsJson(record),
        decodedValue: await context.describer.describe(record.value),
        headerDescriptions: Object.fromEntries(
          record.headers
            .map((header) => [header.name, headerDescriptions.get(header.name)] as const)
            .filter(([, description]) => description !== undefined),
        ),
        retryHistory: retryHistory(record),
      };
    },
  );

  app.get<{ Querystring: Query }>(
    '/api/v1/overview',
    { config: { access: 'viewer' } },
    async (request) => {
      const window = request.query.window;
      if (window !== undefined && !overviewWindows.some((candidate) => candidate === window)) {
        throw new ConsoleRequestError(400, `window must be one of ${overviewWindows.join(', ')}`);
      }
      return overviewOf(store, window, context.now());
    },
  );

  app.post<{ Body: { ids?: unknown; filter?: Record<string, unknown> } }>(
    '/api/v1/purges',
    { config: { access: 'operator' } },
    async (request) => {
      const body = request.body ?? {};
      const target =
        body.ids !== undefined
          ? {
              ids: idsFromForm(Array.isArray(body.ids) ? body.ids.map(String) : [String(body.ids)]),
            }
          : filterFromForm(filterFormFrom(body.filter ?? {}), context.now());
      return { purged: await context.actions.purge(target, request.principal!, 'api') };
    },
  );
}

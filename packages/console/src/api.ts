import { recordAsJson, type ReplayJob } from '@ricochet/archive';
import { replayJobAsJson } from '@ricochet/replay';
import { headerDescriptions } from '@ricochet/core';
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from './context.js';
import { ConsoleRequestError } from './errors.js';
import { retryHistory } from './insight.js';
import { overviewOf } from './overview.js';
import { overviewWindows } from './defaults.js';
import { filterFormFrom, filterFromForm, idsFromForm } from './query.js';
import { recordsPage } from './records.js';
import { replayedFrom, replaysOf } from './replays.js';
import { replayRequestFrom, selectionFromBody } from './selection.js';
import { auditFilterFrom, jobFilterFrom, jobIdFrom, operationsPage } from './operations.js';

type Query = Record<string, string | undefined>;
type Body = Record<string, unknown>;

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
      const [page, total] = await Promise.all([
        recordsPage(store, filter, request.query),
        request.query.count === 'false' ? undefined : store.count(filter),
      ]);
      return {
        records: page.records.map(recordAsJson),
        // Newest first pages by `cursor`, oldest first (order=oldest) by `after`.
        nextCursor: page.next?.cursor ?? null,
        ...(page.order === 'oldest' ? { nextAfter: page.next?.after ?? null } : {}),
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
        replayOf: replayedFrom(record) ?? null,
        replays: await replaysOf(store, record).then(({ count, cameBack, more }) => ({
          count,
          cameBack: cameBack.map(recordAsJson),
          more,
        })),
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

  app.post<{ Body: Body }>(
    '/api/v1/purges',
    { config: { access: 'operator' } },
    async (request) => {
      const selection = selectionFromBody(request.body ?? {}, context.now());
      return { purged: await context.actions.purge(selection.filter, request.principal!, 'api') };
    },
  );

  /** The dry run: `{ ids } | { filter }`, with `rate` (null: no cap), `maxReplays`, `force`. */
  app.post<{ Body: Body }>(
    '/api/v1/replays/plan',
    { config: { access: 'operator' } },
    async (request) => {
      const body = request.body ?? {};
      const replay = replayRequestFrom(selectionFromBody(body, context.now()), body);
      const plan = await context.actions.planReplay(replay);
      return {
        target: replay.target,
        replay: plan.replay,
        refused: plan.refused,
        failed: plan.failed,
        sample: plan.sample.map(({ id, outgoing }) => ({ id, topic: outgoing.topic })),
        skipped: plan.skipped,
      };
    },
  );

  /** Starts a replay job (as the dry run's body) in the console; 202 with the job. */
  app.post<{ Body: Body }>(
    '/api/v1/replays',
    { config: { access: 'operator' } },
    async (request, reply) => {
      const body = request.body ?? {};
      const replay = replayRequestFrom(selectionFromBody(body, context.now()), body);
      const job = await context.actions.startReplay(replay, request.principal!, 'api');
      return reply.status(202).send(jobJson(job));
    },
  );

  app.get<{ Querystring: Query }>(
    '/api/v1/jobs',
    { config: { access: 'viewer' } },
    async (request) => {
      const { jobs, nextCursor } = await store.listReplayJobs(
        jobFilterFrom(request.query),
        operationsPage(request.query),
      );
      return { jobs: jobs.map(jobJson), nextCursor: nextCursor ?? null };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/jobs/:id',
    { config: { access: 'viewer' } },
    async (request) => {
      const id = jobIdFrom(request.params.id);
      const job = await store.getReplayJob(id);
      if (job === undefined) {
        throw new ConsoleRequestError(404, `there is no replay job ${id}`);
      }
      return jobJson(job);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/jobs/:id/stop',
    { config: { access: 'operator' } },
    async (request) =>
      jobJson(await context.actions.stopReplay(jobIdFrom(request.params.id), request.principal!)),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/jobs/:id/resume',
    { config: { access: 'operator' } },
    async (request, reply) => {
      const job = await context.actions.resumeReplay(
        jobIdFrom(request.params.id),
        request.principal!,
        'api',
      );
      return reply.status(202).send(jobJson(job));
    },
  );

  app.get<{ Querystring: Query }>(
    '/api/v1/audit',
    { config: { access: 'viewer' } },
    async (request) => {
      const { entries, nextCursor } = await store.listAudit(
        auditFilterFrom(request.query, context.now()),
        operationsPage(request.query),
      );
      return { entries, nextCursor: nextCursor ?? null };
    },
  );

  /** A job as the API shows it: whether this console runs it (and so can stop it) besides. */
  function jobJson(job: ReplayJob) {
    return { ...replayJobAsJson(job), runsHere: context.actions.runsHere(job.id) };
  }
}

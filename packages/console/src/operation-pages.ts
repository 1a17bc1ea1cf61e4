import { replayCountHeader } from '@ricochet/core';
import { defaultMaxReplays } from '@ricochet/replay';
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from './context.js';
import { defaultConsoleReplayRate } from './defaults.js';
import { ConsoleRequestError } from './errors.js';
import {
  auditFilterFrom,
  jobFilterFrom,
  jobIdFrom,
  jobStates,
  operationsPage,
} from './operations.js';
import { queryString } from './query.js';
import { replayRequestFrom, selectionFromForm, type ReplaySettings } from './selection.js';

type Query = Record<string, string | undefined>;
type Form = Record<string, string | string[] | undefined>;

/** A form's replay settings; a form that never showed them (Replay… on a list) gets defaults. */
function settingsFrom(body: Form): ReplaySettings {
  const shown = body.settings === 'shown';
  return {
    ...(shown ? { rate: body.rate } : {}),
    ...(shown ? { maxReplays: body.maxReplays } : {}),
    force: body.force,
  };
}

/** The pages of replays (dry run, start), jobs (progress, stop, resume) and the audit. */
export function registerOperationPages(app: FastifyInstance, context: ConsoleContext): void {
  const { store, render, actions } = context;
  const html = 'text/html; charset=utf-8';

  app.post<{ Body: Form }>(
    '/replays/plan',
    { config: { access: 'operator' } },
    async (request, reply) => {
      const selection = selectionFromForm(request.body, context.now());
      const settings = settingsFrom(request.body);
      const replay = replayRequestFrom(selection, settings);
      const plan = await actions.planReplay(replay);
      return reply.type(html).send(
        render(request, reply, 'replay-plan', {
          title: 'Replay: dry run',
          active: 'records',
          ...selection,
          plan: {
            ...plan,
            sample: plan.sample.map(({ id, outgoing }) => ({
              id,
              topic: outgoing.topic,
              replayCount: String(outgoing.headers[replayCountHeader] ?? ''),
            })),
          },
          rate: replay.ratePerSecond ?? '',
          maxReplays: replay.maxReplays ?? defaultMaxReplays,
          force: replay.force === true,
          defaultRate: defaultConsoleReplayRate,
        }),
      );
    },
  );

  app.post<{ Body: Form }>(
    '/replays',
    { config: { access: 'operator' } },
    async (request, reply) => {
      const selection = selectionFromForm(request.body, context.now());
      const replay = replayRequestFrom(selection, settingsFrom(request.body));
      const job = await actions.startReplay(replay, request.principal!, 'ui');
      return reply.redirect(`/jobs/${job.id}`, 303);
    },
  );

  app.get<{ Querystring: Query }>(
    '/jobs',
    { config: { access: 'viewer' } },
    async (request, reply) => {
      const filter = jobFilterFrom(request.query);
      const page = operationsPage(request.query);
      const { jobs, nextCursor } = await store.listReplayJobs(filter, page);
      return reply.type(html).send(
        render(request, reply, 'jobs', {
          title: 'Replay jobs',
          active: 'jobs',
          jobs,
          states: jobStates,
          state: filter.state,
          nextLink:
            nextCursor === undefined
              ? undefined
              : `/jobs${queryString({}, { ...filter, limit: String(page.limit), cursor: nextCursor })}`,
        }),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id',
    { config: { access: 'viewer' } },
    async (request, reply) => {
      const id = jobIdFrom(request.params.id);
      const job = await store.getReplayJob(id);
      if (job === undefined) {
        throw new ConsoleRequestError(404, `there is no replay job ${id}`);
      }
      return reply.type(html).send(
        render(request, reply, 'job', {
          title: `Replay job ${job.id}`,
          active: 'jobs',
          job,
          runsHere: actions.runsHere(job.id),
        }),
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    '/jobs/:id/stop',
    { config: { access: 'operator' } },
    async (request, reply) => {
      const job = await actions.stopReplay(jobIdFrom(request.params.id), request.principal!);
      return reply.redirect(`/jobs/${job.id}`, 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/jobs/:id/resume',
    { config: { access: 'operator' } },
    async (request, reply) => {
      const job = await actions.resumeReplay(
        jobIdFrom(request.params.id),
        request.principal!,
        'ui',
      );
      return reply.redirect(`/jobs/${job.id}`, 303);
    },
  );

  app.get<{ Querystring: Query }>(
    '/audit',
    { config: { access: 'viewer' } },
    async (request, reply) => {
      const filter = auditFilterFrom(request.query, context.now());
      const page = operationsPage(request.query);
      const { entries, nextCursor } = await store.listAudit(filter, page);
      const form = {
        action: request.query.action ?? '',
        actor: request.query.actor ?? '',
        since: request.query.since ?? '',
      };
      return reply.type(html).send(
        render(request, reply, 'audit', {
          title: 'Audit',
          active: 'audit',
          entries,
          form,
          nextLink:
            nextCursor === undefined
              ? undefined
              : `/audit${queryString({}, { ...form, limit: String(page.limit), cursor: nextCursor })}`,
        }),
      );
    },
  );
}

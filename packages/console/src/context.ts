import type { ArchiveStore } from '@ricochet/archive';
import type { Logger } from '@ricochet/core';
import type { ReplayPublisher } from '@ricochet/replay';
import type { ValueDescriber } from '@ricochet/value-decoder';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleActions } from './actions.js';
import type { Asset } from './assets.js';
import type { Credentials, Principal } from './auth.js';
import type { PageContext } from './views.js';

/** Who may use a route: anyone (health, assets, sign-in), a viewer, or an operator only. */
export type Access = 'public' | 'viewer' | 'operator';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
    /** True when an Authorization header signed the request: no ambient credential, no CSRF. */
    viaAuthorizationHeader: boolean;
  }
}

export interface ConsoleOptions {
  readonly store: ArchiveStore;
  readonly describer: ValueDescriber;
  readonly logger: Logger;
  readonly credentials: Credentials;
  readonly host: string;
  readonly port: number;
  /** Who acts on an open (loopback, no credentials) console: the audit's actor. */
  readonly localActor: string;
  /** Signs session and CSRF cookies; random per process when absent (sessions end at restart). */
  readonly sessionSecret?: string;
  /**
   * Opens the producer replays publish with, at the first replay; absent when the console has no
   * brokers, and then it cannot replay (it says so).
   */
  readonly openPublisher?: () => Promise<ReplayPublisher>;
  readonly now?: () => number;
}

/** What routes share. */
export interface ConsoleContext extends ConsoleOptions {
  readonly now: () => number;
  readonly assets: ReadonlyMap<string, Asset>;
  readonly actions: ConsoleActions;
  /** Renders a page inside the layout. */
  readonly render: (
    request: FastifyRequest,
    reply: FastifyReply,
    view: string,
    page: Omit<PageContext, 'principal' | 'csrfToken' | 'assets' | 'signedIn'> &
      Record<string, unknown>,
  ) => string;
}

export const sessionCookie = 'ricochet_session';

import { join } from 'node:path';
import { Eta } from 'eta';
import type { Asset } from './assets.js';
import { packageRoot } from './assets.js';
import type { Principal } from './auth.js';

/**
 * Eta, with autoEscape on (its default, set here so it cannot be lost): every `<%= %>` is
 * HTML-escaped, and raw output needs `<%~ %>`, which the views use only for other views' output
 * (layout bodies, includes). Chosen over a tagged-template escaper for its layouts and partials
 * and because it is widely used and kept (bgub/eta, 4.x); over nunjucks for its size and pace.
 * Record data never goes into a URL but through encodeURIComponent/URLSearchParams into our own
 * paths, and never into a script: CSP forbids inline script, and data for the charts travels in
 * data- attributes (escaped) read by the console's own script.
 */
export function createViews(): Eta {
  return new Eta({
    views: join(packageRoot, 'views'),
    autoEscape: true,
    cache: true,
    autoTrim: [false, 'nl'],
  });
}

/** What every page's layout needs besides the page's own data. */
export interface PageContext {
  readonly title: string;
  readonly principal: Principal | undefined;
  readonly csrfToken: string;
  readonly assets: ReadonlyMap<string, Asset>;
  readonly active: string;
  /** Whether the console has credentials, so the layout offers signing out. */
  readonly signedIn: boolean;
}

export function isoTime(epochMilliseconds: number | null | undefined): string {
  return epochMilliseconds === null || epochMilliseconds === undefined
    ? '–'
    : new Date(epochMilliseconds)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

export function duration(milliseconds: number | null): string {
  if (milliseconds === null) {
    return '–';
  }
  if (milliseconds < 1_000) {
    return `${milliseconds} ms`;
  }
  const seconds = milliseconds / 1_000;
  if (seconds < 120) {
    return `${seconds.toFixed(1)} s`;
  }
  const minutes = seconds / 60;
  return minutes < 120 ? `${minutes.toFixed(1)} min` : `${(minutes / 60).toFixed(1)} h`;
}

/** Helpers the views call, as `it.h.<name>`. */
export const viewHelpers = { isoTime, duration, encode: encodeURIComponent };

/** The console's defaults, in one place: the CLI's help, the docs and the server read these. */

export const defaultConsoleHost = '127.0.0.1';
export const defaultConsolePort = 8080;

/** Records on one page of the Records page and of the API's list, unless asked otherwise. */
export const defaultPageSize = 50;

/** A signed-in browser session lasts this long; the credential behind it is checked every request. */
export const sessionLifetimeMs = 8 * 60 * 60 * 1_000;

/** Shortest token accepted: a short one could be guessed over the network. */
export const minimumTokenLength = 16;

/** The Overview's window when none is chosen, and the windows it offers. */
export const overviewWindows = ['1h', '24h', '7d', '30d'] as const;
export const defaultOverviewWindow = '24h';

/**
 * How many of the newest records in the window the Overview reads to group by normalised error
 * message (the store groups by topic, error class, reason and time itself).
 */
export const overviewSampleSize = 5_000;

/** Bytes of a value shown in the Record page's hex view. */
export const hexViewBytes = 4_096;

/**
 * The rate cap a replay form offers, records per second: a replay started from a browser should
 * not flood a topic its consumers are still recovering on. The form (and the API's `rate`) can
 * raise or clear it.
 */
export const defaultConsoleReplayRate = 100;

/** How many of the records a dry run leaves out it lists with the reason why. */
export const planRefusalsShown = 20;

/** Jobs and audit rows on one page. */
export const operationsPageSize = 25;

/** Replays of one record the Record page lists (its replays dead-lettered again). */
export const replaysShown = 20;

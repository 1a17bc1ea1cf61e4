/**
 * @ricochet/replay/internal: pure parts the package's own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export { decideReplay, replaysSoFar } from './loop-guard.js';
export { nextSendAt } from './pacing.js';

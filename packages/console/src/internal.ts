/**
 * @ricochet/console/internal: pure parts the package's own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export { isLoopbackHost } from './auth.js';

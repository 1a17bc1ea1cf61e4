/**
 * @ricochet/dlq-archiver/internal: parts of the package its own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export { toArchiveInput } from './archive-input.js';
export { compileDlqArchiverOptions } from './options.js';

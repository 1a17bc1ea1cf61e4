/**
 * @ricochet/archive/internal: parts of the package its own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export { redactStoreUrl } from './url.js';
export { indexedText, maxIndexedTextBytes } from './codec.js';

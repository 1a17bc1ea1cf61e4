/**
 * @ricochet/service-config/internal: parts of the package its own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export { resolveServiceConfig } from './resolve.js';
export { resolveConnectionConfig, resolveOptionalConnectionConfig } from './resolve-connection.js';
export { redactConnection } from './redact.js';
export { parseConfigText } from './config-text.js';
export { loadConfigFile, readTlsFiles } from './load.js';

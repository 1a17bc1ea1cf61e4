/** @ricochet/kafka/internal: pure parts the package's own tests exercise directly. */
export { observeBatch } from './consumer-events.js';
export { describeReadiness } from './readiness.js';
export { publishStatus } from './publish-health.js';

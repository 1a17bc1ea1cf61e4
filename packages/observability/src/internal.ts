/**
 * @ricochet/observability/internal: parts of the package its own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export {
  handlerDurationBucketsSeconds,
  latenessBucketsSeconds,
  metricCatalog,
} from './metric-catalog.js';

/**
 * @ricochet/main-consumer/internal: parts of the package its own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export { compileMainConsumerOptions } from './options.js';
export { RecordProcessor } from './record-processor.js';
export { crashGuardSlack, crashGuardWindow } from './crash-guard.js';

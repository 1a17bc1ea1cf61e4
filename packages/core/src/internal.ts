/**
 * @ricochet/core/internal: parts of the package its own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export { findTierByTopic } from './ladder.js';
export { maxErrorMessageLength, maxErrorStackLength } from './classify.js';
export { requiredRetryHeaders } from './headers.js';
export { isLegalTopicName, maxTopicNameLength } from './topic-names.js';
export { maxCommitMetadataBytes } from './commit-metadata.js';
export { decodeDoneOffsets, encodeDoneOffsets, maxDoneOffsets } from './done-offsets.js';

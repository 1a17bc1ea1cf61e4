#!/usr/bin/env node
// The bin target is committed, not built: `npm ci` links a workspace's bins before the build
// (`prepare`) has emitted dist/, and it skips a bin whose file is not there yet.
await import('../dist/bin.js');

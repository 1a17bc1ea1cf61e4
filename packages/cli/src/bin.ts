#!/usr/bin/env node
import { runCli } from './program.js';

const exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  environment: process.env,
  stdin: process.stdin,
});
process.exitCode = exitCode;

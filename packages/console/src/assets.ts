import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the pages load, under a name holding its content's hash: cached for ever, safely. */
export interface Asset {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** The package's own folder, from src/ (tests) and dist/ (installed) alike. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const contentTypes: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

function asset(name: string, file: string): [string, Asset] {
  const body = readFileSync(file);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const extension = name.slice(name.lastIndexOf('.') + 1);
  const path = `/static/${name.replace(/\.(\w+)$/, `.${hash}.$1`)}`;
  return [name, { path, contentType: contentTypes[extension] ?? 'application/octet-stream', body }];
}

/**
 * The console's script and style sheet, and Chart.js from node_modules (its UMD build: one
 * file, no bundler), read once at start-up. Served from the console itself, so the CSP can say
 * `script-src 'self'` and nothing is fetched from elsewhere.
 */
export function loadAssets(): ReadonlyMap<string, Asset> {
  const require = createRequire(import.meta.url);
  const chartFolder = dirname(require.resolve('chart.js'));
  return new Map([
    asset('console.js', join(packageRoot, 'static', 'console.js')),
    asset('console.css', join(packageRoot, 'static', 'console.css')),
    asset('chart.js', join(chartFolder, 'chart.umd.min.js')),
  ]);
}

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testBrokers, uniqueName } from '@ricochet/testing';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('../..', import.meta.url));

interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

function manifestOf(name: string): PackageManifest {
  const folder = join(repository, 'packages', name.replace('@ricochet/', ''));
  return JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as PackageManifest;
}

/** @ricochet/cli and every workspace package it needs at run time, found from the manifests. */
function runtimePackages(): PackageManifest[] {
  const found = new Map<string, PackageManifest>();
  const visit = (name: string): void => {
    if (found.has(name)) {
      return;
    }
    const manifest = manifestOf(name);
    found.set(name, manifest);
    Object.keys(manifest.dependencies ?? {})
      .filter((dependency) => dependency.startsWith('@ricochet/'))
      .forEach(visit);
  };
  visit('@ricochet/cli');
  return [...found.values()];
}

/** A clean environment: nothing of the repository's (NODE_OPTIONS, RICOCHET_*) leaks in. */
function userEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME };
}

/**
 * Where better-sqlite3's install looks for its prebuilt addon before it downloads one or, with no
 * network (as in CI), compiles SQLite for most of a minute: the addon the repository's own
 * `npm ci` built from the same version's sources, packed as the download is. A user's install
 * downloads it instead; either way the packed packages install and the command runs, which is
 * what this test proves. Another version's or platform's name matches nothing, and the install
 * builds from source as before.
 */
async function localPrebuilds(workspace: string): Promise<NodeJS.ProcessEnv> {
  const addonPackage = join(repository, 'node_modules', 'better-sqlite3');
  const addon = join('build', 'Release', 'better_sqlite3.node');
  if (!existsSync(join(addonPackage, addon))) {
    return {};
  }
  const { version } = JSON.parse(readFileSync(join(addonPackage, 'package.json'), 'utf8')) as {
    version: string;
  };
  const folder = join(workspace, 'prebuilds');
  mkdirSync(folder);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await run('tar', ['-czf', join(folder, name), addon], { cwd: addonPackage });
  return { npm_config_better_sqlite3_local_prebuilds: folder };
}

describe('the ricochet command, installed from packed tarballs', function () {
  // One `npm install`: third-party packages from the registry (or npm's cache), better-sqlite3
  // built from source if no prebuilt addon fits.
  this.timeout(600_000);

  let workspace: string;
  let ricochet: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'ricochet-installable-'));
    const tarballs = join(workspace, 'tarballs');
    const project = join(workspace, 'project');
    mkdirSync(tarballs);
    mkdirSync(project);
    const packages = runtimePackages();
    // Packing does not build: `npm test` has built dist/ already (`tsc -b`).
    await run(
      'npm',
      [
        'pack',
        '--ignore-scripts',
        '--pack-destination',
        tarballs,
        ...packages.flatMap((manifest) => ['--workspace', manifest.name]),
      ],
      { cwd: repository },
    );
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'a-ricochet-user', version: '1.0.0', private: true }),
    );
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        ...readdirSync(tarballs).map((tarball) => join(tarballs, tarball)),
      ],
      { cwd: project, env: { ...userEnvironment(), ...(await localPrebuilds(workspace)) } },
    );
    ricochet = join(project, 'node_modules', '.bin', 'ricochet');
  });

  after(() => {
    if (workspace !== undefined) {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('needs no private package at run time', () => {
    const privatePackages = runtimePackages().filter((manifest) => manifest.private === true);
    expect(privatePackages.map((manifest) => manifest.name)).to.deep.equal([]);
  });

  it('is a command in the repository too: `npm ci` links it before the build', () => {
    expect(existsSync(join(repository, 'node_modules', '.bin', 'ricochet'))).to.equal(true);
  });

  it('installs a `ricochet` command that reports its version', async () => {
    expect(existsSync(ricochet), 'node_modules/.bin/ricochet').to.equal(true);
    const { stdout } = await run(ricochet, ['--version'], {
      cwd: workspace,
      env: userEnvironment(),
    });
    expect(stdout.trim()).to.equal(manifestOf('@ricochet/cli').version);
  });

  it('runs `ricochet topology describe` against the cluster', async () => {
    const deadLetterTopic = uniqueName('installed-dlq');
    const { stdout } = await run(
      ricochet,
      [
        'topology',
        'describe',
        '--brokers',
        testBrokers().join(','),
        '--tiers',
        '5s',
        '--dlq',
        deadLetterTopic,
        '--json',
      ],
      { cwd: workspace, env: userEnvironment() },
    );
    const description = JSON.parse(stdout) as {
      brokerCount: number;
      topics: { name: string; exists: boolean }[];
    };
    expect(description.brokerCount).to.be.greaterThan(0);
    const deadLetters = description.topics.find((topic) => topic.name === deadLetterTopic);
    expect(deadLetters?.exists).to.equal(false);
  });
});

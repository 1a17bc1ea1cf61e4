// Static checks of the deployment files in infra/: nothing here starts a container or talks to a
// cluster (no Docker engine or Kubernetes API is assumed). What the files name is checked against
// what exists: flags against the real CLI's help (or, for flags the CLI does not have yet, the
// operations contract), environment variables and metric names against
// docs/operations-contract.md, tiers against the default ladder.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { runCli } from '@ricochet/cli';
import { checkBind, credentialsFromEnvironment } from '@ricochet/console';
import { defaultLadderText, parseTierLadder } from '@ricochet/core';
import { defaultPartitions } from '@ricochet/topology';

const root = fileURLToPath(new URL('../../', import.meta.url));
const infra = join(root, 'infra');
const kubernetesDirectory = join(infra, 'kubernetes');
const composePath = join(infra, 'docker-compose.yml');
const allTiersComposePath = join(infra, 'docker-compose.all-tiers.yml');
const dashboardPath = join(infra, 'grafana', 'ricochet-dashboard.json');
const dockerfilePath = join(infra, 'docker', 'Dockerfile');

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, ...path: string[]): Json {
  let current = value;
  for (const key of path) {
    current = isObject(current) ? current[key] : undefined;
  }
  return isObject(current) ? current : {};
}

function arrayAt(value: unknown, ...path: string[]): unknown[] {
  const parent = objectAt(value, ...path.slice(0, -1));
  const found = parent[path.at(-1) ?? ''];
  return Array.isArray(found) ? found : [];
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

// ---------------------------------------------------------------------------------------------
// The operations contract

interface ContractSetting {
  /** `main`, `delay` or `dlq` for a role's own flag; undefined for a flag every role takes. */
  readonly role: string | undefined;
  readonly flags: readonly string[];
  readonly environment: readonly string[];
  readonly defaultText: string;
}

interface ContractMetric {
  readonly type: string;
  readonly labels: readonly string[];
}

/** The rows of the first Markdown table under `## heading`, as cells; fails if there is none. */
function tableUnder(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `docs/operations-contract.md has no "## ${heading}" section`).to.be.greaterThan(-1);
  const section = markdown.slice(start + 1).split(/\n## /)[0] ?? '';
  const rows = section
    .split('\n')
    .filter((line) => line.trimStart().startsWith('|'))
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim()),
    )
    // The header row and the |---| separator.
    .slice(2);
  expect(rows, `the ${heading} table of docs/operations-contract.md`).to.have.length.greaterThan(0);
  return rows;
}

const backticked = (text: string, pattern: RegExp): string[] =>
  [...text.matchAll(/`([^`]+)`/g)]
    .map((match) => match[1] ?? '')
    .filter((name) => pattern.test(name));

function readContract() {
  const markdown = readFileSync(join(root, 'docs', 'operations-contract.md'), 'utf8');
  const settings: ContractSetting[] = tableUnder(markdown, 'Settings').map(
    ([flagCell = '', environmentCell = '', _fileKey, defaultCell = '']) => ({
      role: /^(main|delay|dlq)\s/.exec(flagCell)?.[1],
      flags: backticked(flagCell, /^--[a-z0-9-]+$/),
      environment: backticked(environmentCell, /^[A-Z][A-Z0-9_]*$/),
      defaultText: defaultCell,
    }),
  );
  const metrics = new Map<string, ContractMetric>(
    tableUnder(markdown, 'Metrics').map(([nameCell = '', typeCell = '', labelsCell = '']) => [
      backticked(nameCell, /^ricochet_[a-z0-9_]+$/)[0] ?? nameCell,
      { type: typeCell.trim(), labels: backticked(labelsCell, /^[a-z_]+$/) },
    ]),
  );
  // The console's own settings: its flags are checked against its help like every command's.
  const consoleSettings = tableUnder(markdown, 'The console').map(
    ([flagCell = '', environmentCell = '', defaultCell = '']) => ({
      flags: backticked(flagCell, /^--[a-z0-9-]+$/),
      environment: backticked(environmentCell, /^[A-Z][A-Z0-9_]*$/),
      defaultText: defaultCell,
    }),
  );
  const environment = new Set(
    [...settings, ...consoleSettings].flatMap((setting) => setting.environment),
  );
  const consolePortText =
    consoleSettings.find((setting) => setting.flags.includes('--port'))?.defaultText ?? '';
  const consolePort = Number(/\d+/.exec(consolePortText)?.[0]);
  expect(Number.isInteger(consolePort), `the contract's console port: ${consolePortText}`).to.equal(
    true,
  );
  const settingOf = (flag: string) => settings.find((setting) => setting.flags.includes(flag));
  const numericDefault = (flag: string): number => {
    const text = settingOf(flag)?.defaultText ?? '';
    const value = Number(/\d+/.exec(text)?.[0]);
    expect(Number.isInteger(value), `the contract's default for ${flag}: ${text}`).to.equal(true);
    return value;
  };
  return {
    settings,
    metrics,
    environment,
    httpPort: numericDefault('--http-port'),
    consolePort,
    /** The console's variables that hold secrets: a Kubernetes container takes them from a Secret. */
    consoleSecrets: consoleSettings
      .filter((setting) => setting.flags.length === 0)
      .flatMap((setting) => setting.environment),
    shutdownTimeoutMilliseconds: numericDefault('--shutdown-timeout-ms'),
    /** Whether the contract gives `role` this flag (a role's own, or one every role takes). */
    hasFlag: (role: string, flag: string) =>
      settings.some(
        (setting) =>
          setting.flags.includes(flag) && (setting.role === undefined || setting.role === role),
      ),
  };
}

// ---------------------------------------------------------------------------------------------
// The files

/** Every document of a YAML file, with `<<` merge keys resolved as Compose resolves them. */
function readYaml(path: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'), { merge: true });
  const list = Array.isArray(documents) ? documents : [];
  for (const document of list) {
    const problems = [...document.errors, ...document.warnings].map((problem) => problem.message);
    expect(problems, `${relative(root, path)} parses cleanly`).to.deep.equal([]);
  }
  return list.map((document) => document.toJS() as unknown).filter((value) => value !== null);
}

const skippedDirectories = new Set(['node_modules', 'libs', 'target', 'app', 'app.partial']);

function yamlFilesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) {
      return skippedDirectories.has(name) ? [] : yamlFilesUnder(path);
    }
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const defaultTierTopics = parseTierLadder(defaultLadderText).map((tier) => tier.topic);

/** A tier as `--tier` takes it: the topic (retry-5s) or the delay (5s). */
function tierTopicOf(value: string): string {
  return value.startsWith('retry-') ? value : (parseTierLadder(value)[0]?.topic ?? value);
}

/** Where a command line puts its flags: `--flag value` or `--flag=value`. */
function flagValues(argv: readonly string[], flag: string): string[] {
  const values: string[] = [];
  argv.forEach((token, index) => {
    if (token === flag && argv[index + 1] !== undefined) {
      values.push(argv[index + 1] ?? '');
    } else if (token.startsWith(`${flag}=`)) {
      values.push(token.slice(flag.length + 1));
    }
  });
  return values;
}

/** A service as far as topics go: its command line and the environment it is given. */
interface TopicUser {
  readonly name: string;
  readonly argv: readonly string[];
  readonly environment: ReadonlyMap<string, string>;
}

/** A setting as the service will resolve it: the flag, else the variable, else the default. */
function settingOf(
  user: TopicUser,
  flag: string,
  variable: string,
  fallback: string,
): string | undefined {
  return flagValues(user.argv, flag)[0] ?? user.environment.get(variable) ?? fallback;
}

/**
 * The topology command creates what the services use: the default ladder (one delay service per
 * tier, the main consumers on the same ladder), the dead-letter topic they all name, and the main
 * consumers' source topics.
 */
function expectTopicsToAgree(topology: TopicUser | undefined, users: readonly TopicUser[]): void {
  expect(topology, 'a topology command').to.not.equal(undefined);
  const ladder = settingOf(topology!, '--tiers', '', defaultLadderText);
  expect(ladder, `${topology!.name}: --tiers`).to.equal(defaultLadderText);
  const deadLetterTopic = settingOf(topology!, '--dlq', '', 'dlq');
  const created = flagValues(topology!.argv, '--topic').flatMap((topic) => topic.split(','));
  const running = users.filter((user) => user.argv[0] === 'run');
  const delayTiers = running
    .filter((user) => user.argv[1] === 'delay')
    .map((user) => tierTopicOf(settingOf(user, '--tier', 'RICOCHET_TIER', '') ?? ''));
  expect(delayTiers, 'one delay service per tier of the default ladder').to.have.members(
    defaultTierTopics,
  );
  for (const user of running) {
    expect(settingOf(user, '--dlq', 'RICOCHET_DLQ_TOPIC', 'dlq'), `${user.name}: dlq`).to.equal(
      deadLetterTopic,
    );
    if (user.argv[1] === 'main') {
      const consumed = [
        ...flagValues(user.argv, '--topic'),
        ...(user.environment.get('RICOCHET_TOPICS')?.split(',') ?? []),
      ];
      expect(consumed, `${user.name}: its topics`).to.have.length.greaterThan(0);
      expect(created, `${user.name}'s topics are created`).to.include.members(consumed);
      expect(settingOf(user, '--tiers', 'RICOCHET_TIERS', defaultLadderText), user.name).to.equal(
        ladder,
      );
    }
  }
}

/** A ricochet command line found in a deployment file, and where. */
interface CommandLine {
  readonly where: string;
  readonly argv: readonly string[];
}

interface ComposeService {
  readonly name: string;
  readonly definition: Json;
  readonly argv: string[];
  readonly environment: Map<string, string>;
}

function readCompose() {
  const [compose] = readYaml(composePath);
  const services = objectAt(compose, 'services');
  const all = Object.entries(services).map(([name, value]): ComposeService => {
    const definition = isObject(value) ? value : {};
    const command = definition.command;
    const rawEnvironment = definition.environment;
    const environment = new Map<string, string>(
      Array.isArray(rawEnvironment)
        ? rawEnvironment.map((entry) => {
            const [key = '', ...rest] = String(entry).split('=');
            return [key, rest.join('=')];
          })
        : Object.entries(isObject(rawEnvironment) ? rawEnvironment : {}).map(([key, item]) => [
            key,
            String(item),
          ]),
    );
    return {
      name,
      definition,
      argv: typeof command === 'string' ? command.split(/\s+/) : stringsOf(command),
      environment,
    };
  });
  // Ricochet's services are the ones built from its Dockerfile; the rest are Kafka and PostgreSQL.
  const ricochet = all.filter((service) =>
    String(objectAt(service.definition, 'build').dockerfile ?? '').endsWith(
      'infra/docker/Dockerfile',
    ),
  );
  return { compose, all, ricochet };
}

interface KubernetesObject {
  readonly file: string;
  readonly object: Json;
  readonly kind: string;
  readonly name: string;
}

interface Container {
  readonly owner: KubernetesObject;
  readonly podSpec: Json;
  readonly container: Json;
  readonly argv: string[];
}

function readKubernetes() {
  const files = readdirSync(kubernetesDirectory).filter((name) => /\.ya?ml$/.test(name));
  const kustomization = objectAt(readYaml(join(kubernetesDirectory, 'kustomization.yaml'))[0]);
  const objects: KubernetesObject[] = files
    .filter((file) => file !== 'kustomization.yaml')
    .flatMap((file) =>
      readYaml(join(kubernetesDirectory, file)).map((value) => {
        const object = isObject(value) ? value : {};
        return {
          file,
          object,
          kind: String(object.kind),
          name: String(objectAt(object, 'metadata').name),
        };
      }),
    );
  const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const podSpecOf = (object: KubernetesObject) =>
    objectAt(object.object, 'spec', 'template', 'spec');
  const containers: Container[] = [...ofKind('Deployment'), ...ofKind('Job')].flatMap((owner) =>
    arrayAt(podSpecOf(owner), 'containers').map((value) => {
      const container = isObject(value) ? value : {};
      return { owner, podSpec: podSpecOf(owner), container, argv: stringsOf(container.args) };
    }),
  );
  const generatedConfigMaps = arrayAt(kustomization, 'configMapGenerator').map((generator) =>
    String(objectAt(generator).name),
  );
  return { files, kustomization, objects, ofKind, containers, generatedConfigMaps };
}

/** Every ricochet command line in Compose `command`s and Kubernetes `args`. */
function commandLinesOf(
  compose: ReturnType<typeof readCompose>,
  kubernetes: ReturnType<typeof readKubernetes>,
): CommandLine[] {
  return [
    ...compose.ricochet.map((service) => ({
      where: `docker-compose.yml service ${service.name}`,
      argv: service.argv,
    })),
    ...kubernetes.containers.map((entry) => ({
      where: `kubernetes/${entry.owner.file} ${entry.owner.kind} ${entry.owner.name}`,
      argv: entry.argv,
    })),
  ];
}

/**
 * Read while mocha collects the tests (their titles name the command lines). A file that does not
 * parse becomes one failing test here rather than an exception that would abort the whole run.
 */
function readEverything() {
  try {
    const contract = readContract();
    const compose = readCompose();
    const kubernetes = readKubernetes();
    return { contract, compose, kubernetes, commandLines: commandLinesOf(compose, kubernetes) };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

// ---------------------------------------------------------------------------------------------
// The CLI, in-process

class TextBuffer extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const helpTexts = new Map<string, Promise<{ exitCode: number; text: string }>>();

/** `ricochet <command> --help`, run once per command. */
function helpOf(command: readonly string[]): Promise<{ exitCode: number; text: string }> {
  const key = command.join(' ');
  let help = helpTexts.get(key);
  if (help === undefined) {
    const stdout = new TextBuffer();
    const stderr = new TextBuffer();
    help = runCli([...command, '--help'], { stdout, stderr, environment: {} }).then((exitCode) => ({
      exitCode,
      text: stdout.text + stderr.text,
    }));
    helpTexts.set(key, help);
  }
  return help;
}

/** The options a help text lists (the first column of its option lines), not ones its prose names. */
function optionsListed(help: string): Set<string> {
  return new Set(
    [...help.matchAll(/^\s+(?:-[a-zA-Z], )?(--[a-z0-9-]+)/gm)].map((match) => match[1] ?? ''),
  );
}

/** The subcommand a command line names: its words before the first flag. */
function commandOf(argv: readonly string[]): string[] {
  const end = argv.findIndex((token) => token.startsWith('-'));
  return [...argv.slice(0, end === -1 ? argv.length : end)];
}

// ---------------------------------------------------------------------------------------------

describe('deployment files (infra/)', function () {
  const everything = readEverything();
  if (everything instanceof Error) {
    it('reads the operations contract and the deployment files', () => {
      throw everything;
    });
    return;
  }
  const { contract, compose, kubernetes, commandLines } = everything;

  describe('YAML and JSON', () => {
    for (const path of yamlFilesUnder(infra)) {
      it(`parses ${relative(root, path)}`, () => {
        expect(readYaml(path)).to.have.length.greaterThan(0);
      });
    }

    it('parses the Grafana dashboard', () => {
      expect(() => JSON.parse(readFileSync(dashboardPath, 'utf8'))).to.not.throw();
    });
  });

  describe('ricochet command lines', () => {
    it('finds one in every Ricochet service and container', () => {
      expect(compose.ricochet.map((service) => service.name)).to.include.members([
        'topology',
        'main',
        'archiver',
      ]);
      for (const { where, argv } of commandLines) {
        expect(argv, where).to.have.length.greaterThan(0);
      }
    });

    for (const { where, argv } of commandLines) {
      it(`${where}: ricochet ${argv.join(' ')}`, async () => {
        const command = commandOf(argv);
        const help = await helpOf(command);
        expect(help.exitCode, `ricochet ${command.join(' ')} --help`).to.equal(0);
        // yargs answers an unknown subcommand's --help with its parent's help, so the usage line
        // is what proves that the subcommand exists.
        expect(help.text.split('\n')[0], `${where} names a real command`).to.equal(
          `ricochet ${command.join(' ')}`,
        );
        const listed = optionsListed(help.text);
        const flags = argv
          .filter((token) => token.startsWith('--'))
          .map((token) => token.split('=')[0] ?? token);
        for (const flag of flags) {
          // A flag the contract gives this role but the CLI does not list yet is accepted:
          // the services are being brought up to the contract.
          const known =
            listed.has(flag) || (command[0] === 'run' && contract.hasFlag(command[1] ?? '', flag));
          expect(known, `${where}: ricochet ${command.join(' ')} has no ${flag}`).to.equal(true);
        }
      });
    }
  });

  describe('docker-compose.yml', () => {
    const servicesByName = new Map(compose.all.map((service) => [service.name, service]));
    const longRunning = compose.ricochet.filter((service) => service.argv[0] === 'run');

    it('runs the topology job, the main consumer, delay services, the archiver and the console', () => {
      const roles = compose.ricochet.map((service) => commandOf(service.argv).join(' '));
      expect(roles).to.include.members([
        'topology create',
        'run main',
        'run delay',
        'run dlq',
        'console',
      ]);
      const topology = compose.ricochet.filter((service) => service.argv[0] === 'topology');
      expect(topology, 'one topology job').to.have.lengthOf(1);
    });

    it('creates the topics the services use, one delay service per default tier', () => {
      expectTopicsToAgree(
        compose.ricochet.find((service) => service.argv[0] === 'topology'),
        compose.ricochet,
      );
    });

    it('sets only environment variables of the contract on Ricochet services', () => {
      for (const service of compose.ricochet) {
        for (const name of service.environment.keys()) {
          expect(contract.environment, `${service.name}: ${name}`).to.include(name);
        }
      }
    });

    it('checks readiness on /readyz at the contract port', () => {
      for (const service of longRunning) {
        const port = Number(service.environment.get('RICOCHET_HTTP_PORT') ?? contract.httpPort);
        expect(port, `${service.name}: the healthcheck assumes the default port`).to.equal(
          contract.httpPort,
        );
        const test = stringsOf(objectAt(service.definition, 'healthcheck').test).join(' ');
        expect(test, service.name).to.include(`:${contract.httpPort}/readyz`);
      }
    });

    it('orders start-up with depends_on conditions that can be met', () => {
      const isOneShot = (service: ComposeService | undefined) =>
        service !== undefined &&
        compose.ricochet.includes(service) &&
        service.argv[0] !== 'run' &&
        service.definition.restart === 'no';
      for (const service of compose.all) {
        const dependsOn = service.definition.depends_on;
        if (dependsOn === undefined) {
          continue;
        }
        expect(dependsOn, `${service.name}: depends_on with conditions, not a list`).to.satisfy(
          isObject,
        );
        for (const [target, settings] of Object.entries(objectAt(dependsOn))) {
          const dependency = servicesByName.get(target);
          const condition = objectAt(settings).condition;
          expect(dependency, `${service.name} depends on ${target}`).to.not.equal(undefined);
          if (condition === 'service_healthy') {
            expect(dependency?.definition.healthcheck, `${target} has a healthcheck`).to.satisfy(
              isObject,
            );
          } else if (condition === 'service_completed_successfully') {
            expect(isOneShot(dependency), `${target} runs once and exits`).to.equal(true);
          } else {
            expect.fail(`${service.name} -> ${target}: condition ${String(condition)}`);
          }
        }
      }
      for (const service of longRunning) {
        expect(
          objectAt(service.definition, 'depends_on', 'topology').condition,
          `${service.name} waits for the topics`,
        ).to.equal('service_completed_successfully');
      }
      const archiver = longRunning.find((service) => service.argv[1] === 'dlq');
      const store = [
        ...flagValues(archiver?.argv ?? [], '--store'),
        archiver?.environment.get('RICOCHET_STORE') ?? '',
      ].join(' ');
      expect(store).to.match(/postgres(ql)?:\/\/[^ ]*@postgres[:/]/);
      expect(objectAt(archiver?.definition, 'depends_on', 'postgres').condition).to.equal(
        'service_healthy',
      );
    });

    it('serves the console on a loopback port, healthchecked on /readyz, with credentials it accepts', () => {
      const console = compose.ricochet.find((service) => service.argv[0] === 'console');
      expect(console, 'a console service').to.not.equal(undefined);
      const port = Number(flagValues(console!.argv, '--port')[0] ?? contract.consolePort);
      const test = stringsOf(objectAt(console!.definition, 'healthcheck').test).join(' ');
      expect(test).to.include(`:${port}/readyz`);
      expect(stringsOf(console!.definition.ports)).to.include(`127.0.0.1:${port}:${port}`);
      const host = flagValues(console!.argv, '--host')[0] ?? '127.0.0.1';
      const environment = Object.fromEntries(console!.environment);
      expect(() => checkBind(host, credentialsFromEnvironment(environment))).to.not.throw();
      expect(
        objectAt(console!.definition, 'depends_on', 'archiver').condition,
        'the console waits for the archiver, which creates the archive',
      ).to.equal('service_healthy');
    });

    it('mounts the handler that the main consumer loads', () => {
      for (const service of longRunning.filter((entry) => entry.argv[1] === 'main')) {
        const handler =
          flagValues(service.argv, '--handler')[0] ?? service.environment.get('RICOCHET_HANDLER');
        const mount = stringsOf(service.definition.volumes)
          .map((volume) => volume.split(':'))
          .find(([, target]) => target === handler);
        expect(mount, `${service.name} mounts ${String(handler)}`).to.not.equal(undefined);
        expect(existsSync(join(infra, mount?.[0] ?? '')), `${mount?.[0]} exists`).to.equal(true);
      }
    });

    it('passes `docker compose config` where Compose is installed', function () {
      this.timeout(30_000);
      const checker = composeChecker();
      if (checker === undefined) {
        this.test!.title +=
          ' (skipped: neither the `docker compose` plugin nor `docker-compose` is installed)';
        this.skip();
      }
      const result = spawnSync(checker.command, [...checker.args, 'config', '-q'], {
        cwd: infra,
        input: checker.input,
        encoding: 'utf8',
        timeout: 25_000,
      });
      expect(result.status, `${checker.description}: ${result.stderr}`).to.equal(0);
    });
  });

  describe('Kubernetes manifests', () => {
    const deployments = kubernetes.ofKind('Deployment');
    const configMaps = new Map(
      kubernetes.ofKind('ConfigMap').map((entry) => [entry.name, objectAt(entry.object, 'data')]),
    );
    const secrets = new Map(
      kubernetes
        .ofKind('Secret')
        .map((entry) => [
          entry.name,
          { ...objectAt(entry.object, 'data'), ...objectAt(entry.object, 'stringData') },
        ]),
    );
    const settings = kubernetes.objects.find((entry) => entry.name === 'ricochet-settings');
    const settingsData = objectAt(settings?.object, 'data');
    /** The plain values a container's environment gets: from ConfigMaps and literal `value`s. */
    const environmentOf = (container: Json): Map<string, string> =>
      new Map(
        [
          ...arrayAt(container, 'envFrom').flatMap((source) =>
            Object.entries(configMaps.get(String(objectAt(source, 'configMapRef').name)) ?? {}),
          ),
          ...arrayAt(container, 'env')
            .map((variable) => objectAt(variable))
            .filter((variable) => variable.value !== undefined)
            .map((variable) => [String(variable.name), variable.value] as const),
        ].map(([name, value]) => [name, String(value)]),
      );

    it('lists every manifest in kustomization.yaml, and nothing else', () => {
      const resources = stringsOf(kubernetes.kustomization.resources);
      const manifests = kubernetes.files.filter((file) => file !== 'kustomization.yaml');
      expect(resources).to.have.members(manifests);
      for (const generator of arrayAt(kubernetes.kustomization, 'configMapGenerator')) {
        for (const file of stringsOf(objectAt(generator).files)) {
          const source = file.split('=').at(-1) ?? file;
          expect(existsSync(join(kubernetesDirectory, source)), source).to.equal(true);
        }
      }
    });

    it('gives every object apiVersion, kind and metadata.name', () => {
      expect(kubernetes.objects).to.have.length.greaterThan(0);
      for (const { file, object } of kubernetes.objects) {
        expect(object.apiVersion, file).to.be.a('string').that.has.length.greaterThan(0);
        expect(object.kind, file).to.be.a('string').that.has.length.greaterThan(0);
        expect(objectAt(object, 'metadata').name, `${file} ${String(object.kind)}`)
          .to.be.a('string')
          .that.has.length.greaterThan(0);
      }
    });

    it('matches the Kubernetes API schemas (kubernetes-models)', () => {
      const models: Record<string, new (data: never) => { validate(): void }> = {
        'v1/Namespace': Namespace,
        'v1/ConfigMap': ConfigMap,
        'v1/Secret': Secret,
        'apps/v1/Deployment': Deployment,
        'batch/v1/Job': Job,
        'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
        'v1/Service': Service,
      };
      for (const { file, object, kind, name } of kubernetes.objects) {
        const Model = models[`${String(object.apiVersion)}/${kind}`];
        expect(
          Model,
          `${file}: no schema for ${String(object.apiVersion)} ${kind} here`,
        ).to.not.equal(undefined);
        expect(
          () => new Model!(object as never).validate(),
          `${file} ${kind} ${name}`,
        ).to.not.throw();
      }
    });

    it('runs a Deployment per role and per default tier, and a topology Job', () => {
      const roles = kubernetes.containers.map((entry) => commandOf(entry.argv).join(' '));
      expect(roles).to.include.members([
        'run main',
        'run delay',
        'run dlq',
        'topology create',
        'console',
      ]);
      const users = kubernetes.containers.map((entry) => ({
        name: `${entry.owner.kind} ${entry.owner.name}`,
        argv: entry.argv,
        environment: environmentOf(entry.container),
      }));
      const job = kubernetes.containers.find((entry) => entry.argv[0] === 'topology');
      expect(job?.owner.kind).to.equal('Job');
      expectTopicsToAgree(
        users.find((user) => user.argv[0] === 'topology'),
        users,
      );
    });

    it('probes every Deployment on the contract paths and port', () => {
      expect(Number(settingsData.RICOCHET_HTTP_PORT ?? contract.httpPort)).to.equal(
        contract.httpPort,
      );
      for (const deployment of deployments) {
        let serves = 'service';
        for (const value of arrayAt(deployment.object, 'spec', 'template', 'spec', 'containers')) {
          const container = objectAt(value);
          const argv = stringsOf(container.args);
          // The console answers on its own port (--port) and has no /metrics.
          const isConsole = argv[0] === 'console';
          serves = isConsole ? 'console' : serves;
          const expectedPort = isConsole
            ? Number(flagValues(argv, '--port')[0] ?? contract.consolePort)
            : contract.httpPort;
          const portOf = (probe: string): number => {
            const port = objectAt(container, probe, 'httpGet').port;
            if (typeof port === 'number') {
              return port;
            }
            const named = arrayAt(container, 'ports').find(
              (entry) => objectAt(entry).name === port,
            );
            return Number(objectAt(named).containerPort);
          };
          const where = `${deployment.name} ${String(container.name)}`;
          expect(objectAt(container, 'livenessProbe', 'httpGet').path, where).to.equal('/healthz');
          expect(objectAt(container, 'readinessProbe', 'httpGet').path, where).to.equal('/readyz');
          expect(portOf('livenessProbe'), where).to.equal(expectedPort);
          expect(portOf('readinessProbe'), where).to.equal(expectedPort);
        }
        if (serves === 'console') {
          continue;
        }
        const annotations = objectAt(
          deployment.object,
          'spec',
          'template',
          'metadata',
          'annotations',
        );
        expect(annotations['prometheus.io/scrape'], deployment.name).to.equal('true');
        expect(annotations['prometheus.io/port'], deployment.name).to.equal(
          String(contract.httpPort),
        );
        expect(annotations['prometheus.io/path'] ?? '/metrics', deployment.name).to.equal(
          '/metrics',
        );
      }
    });

    it('limits resources and runs non-root on a read-only root filesystem', () => {
      for (const { owner, podSpec, container } of kubernetes.containers) {
        const where = `${owner.kind} ${owner.name}`;
        for (const bound of ['requests', 'limits']) {
          const resources = objectAt(container, 'resources', bound);
          expect(resources, `${where} resources.${bound}`).to.have.keys('cpu', 'memory');
        }
        const pod = objectAt(podSpec, 'securityContext');
        const own = objectAt(container, 'securityContext');
        expect(own.runAsNonRoot ?? pod.runAsNonRoot, where).to.equal(true);
        expect(own.runAsUser ?? pod.runAsUser ?? 1000, where).to.not.equal(0);
        expect(own.readOnlyRootFilesystem, where).to.equal(true);
        expect(own.allowPrivilegeEscalation, where).to.equal(false);
        expect(stringsOf(objectAt(own, 'capabilities').drop), where).to.include('ALL');
      }
    });

    it('selects its own pods, and lets them finish shutting down', () => {
      const shutdown = Number(
        settingsData.RICOCHET_SHUTDOWN_TIMEOUT_MS ?? contract.shutdownTimeoutMilliseconds,
      );
      for (const deployment of deployments) {
        const selector = objectAt(deployment.object, 'spec', 'selector', 'matchLabels');
        const labels = objectAt(deployment.object, 'spec', 'template', 'metadata', 'labels');
        expect(labels, deployment.name).to.include(selector);
        const grace = Number(
          objectAt(deployment.object, 'spec', 'template', 'spec').terminationGracePeriodSeconds ??
            30,
        );
        expect(grace * 1000, `${deployment.name}: grace period vs shutdown timeout`).to.be.above(
          shutdown,
        );
      }
      const selectors = deployments.map((deployment) =>
        JSON.stringify(objectAt(deployment.object, 'spec', 'selector', 'matchLabels')),
      );
      expect(new Set(selectors).size, 'no two Deployments select the same pods').to.equal(
        selectors.length,
      );
    });

    it('keeps replicas plus surge within the partition count, or pods never become ready', () => {
      const job = kubernetes.containers.find((entry) => entry.argv[0] === 'topology');
      const partitions = Number(
        flagValues(job?.argv ?? [], '--partitions')[0] ?? defaultPartitions,
      );
      for (const deployment of deployments) {
        const spec = objectAt(deployment.object, 'spec');
        const surge = objectAt(spec, 'strategy', 'rollingUpdate').maxSurge ?? '25%';
        expect(surge, `${deployment.name}: maxSurge as a count`).to.be.a('number');
        expect(Number(spec.replicas ?? 1) + Number(surge), deployment.name).to.be.at.most(
          partitions,
        );
      }
    });

    it('covers every delay Deployment with a PodDisruptionBudget that allows a drain', () => {
      const budgets = kubernetes.ofKind('PodDisruptionBudget');
      const delays = kubernetes.containers.filter((entry) => entry.argv[1] === 'delay');
      expect(delays).to.have.length.greaterThan(0);
      for (const { owner } of delays) {
        const labels = objectAt(owner.object, 'spec', 'template', 'metadata', 'labels');
        const replicas = Number(objectAt(owner.object, 'spec').replicas ?? 1);
        const budget = budgets.find((entry) => {
          const selector = objectAt(entry.object, 'spec', 'selector', 'matchLabels');
          return Object.entries(selector).every(([key, value]) => labels[key] === value);
        });
        expect(budget, `a PodDisruptionBudget for ${owner.name}`).to.not.equal(undefined);
        const spec = objectAt(budget?.object, 'spec');
        const allowed =
          spec.maxUnavailable !== undefined
            ? Number(spec.maxUnavailable) >= 1
            : Number(spec.minAvailable) < replicas;
        expect(allowed, `${budget?.name} lets an eviction through`).to.equal(true);
        expect(replicas, `${owner.name} keeps a replica through a drain`).to.be.at.least(2);
      }
    });

    it('sets only environment variables of the contract, secrets from the Secret', () => {
      for (const { owner, container } of kubernetes.containers) {
        const where = `${owner.kind} ${owner.name}`;
        const names: string[] = [];
        for (const source of arrayAt(container, 'envFrom')) {
          const configMap = objectAt(source, 'configMapRef').name;
          const secret = objectAt(source, 'secretRef').name;
          if (configMap !== undefined) {
            expect(
              configMaps.has(String(configMap)),
              `${where}: ConfigMap ${String(configMap)}`,
            ).to.equal(true);
            names.push(...Object.keys(configMaps.get(String(configMap)) ?? {}));
          }
          if (secret !== undefined) {
            expect(secrets.has(String(secret)), `${where}: Secret ${String(secret)}`).to.equal(
              true,
            );
            names.push(...Object.keys(secrets.get(String(secret)) ?? {}));
          }
        }
        for (const value of arrayAt(container, 'env')) {
          const variable = objectAt(value);
          names.push(String(variable.name));
          const secretKey = objectAt(variable, 'valueFrom', 'secretKeyRef');
          if (secretKey.name !== undefined) {
            expect(
              objectAt(secrets.get(String(secretKey.name))),
              `${where}: ${String(variable.name)}`,
            ).to.have.property(String(secretKey.key));
          }
          if (
            ['RICOCHET_SASL_PASSWORD', 'RICOCHET_STORE', ...contract.consoleSecrets].includes(
              String(variable.name),
            )
          ) {
            expect(secretKey.name, `${where}: ${String(variable.name)} from a Secret`).to.be.a(
              'string',
            );
          }
        }
        for (const name of names) {
          expect(contract.environment, `${where}: ${name}`).to.include(name);
        }
      }
      for (const [name, data] of configMaps) {
        expect(data, `ConfigMap ${name} holds no password`).to.not.have.property(
          'RICOCHET_SASL_PASSWORD',
        );
      }
    });

    it('runs the console on 0.0.0.0 with credentials from the Secret that it accepts', () => {
      const entry = kubernetes.containers.find((candidate) => candidate.argv[0] === 'console');
      expect(entry, 'a console container').to.not.equal(undefined);
      const environment: Record<string, string> = {};
      for (const value of arrayAt(entry!.container, 'env')) {
        const variable = objectAt(value);
        const secretKey = objectAt(variable, 'valueFrom', 'secretKeyRef');
        const secret = objectAt(secrets.get(String(secretKey.name)));
        if (secretKey.key !== undefined && secret[String(secretKey.key)] !== undefined) {
          environment[String(variable.name)] = String(secret[String(secretKey.key)]);
        }
      }
      const host = flagValues(entry!.argv, '--host')[0] ?? '127.0.0.1';
      expect(host, 'reachable from outside the pod').to.equal('0.0.0.0');
      expect(() => checkBind(host, credentialsFromEnvironment(environment))).to.not.throw();
      const secret = environment.RICOCHET_CONSOLE_SESSION_SECRET ?? '';
      expect(secret.length, 'a session secret every replica shares').to.be.at.least(32);
      const service = kubernetes
        .ofKind('Service')
        .find((candidate) =>
          Object.entries(objectAt(candidate.object, 'spec', 'selector')).every(
            ([key, value]) =>
              objectAt(entry!.owner.object, 'spec', 'template', 'metadata', 'labels')[key] ===
              value,
          ),
        );
      expect(service, 'a Service in front of the console').to.not.equal(undefined);
    });

    it('mounts only ConfigMaps that exist or are generated', () => {
      const known = new Set([...configMaps.keys(), ...kubernetes.generatedConfigMaps]);
      for (const { owner, podSpec } of kubernetes.containers) {
        for (const volume of arrayAt(podSpec, 'volumes')) {
          const name = objectAt(volume, 'configMap').name;
          if (name !== undefined) {
            expect(known.has(String(name)), `${owner.name}: ConfigMap ${String(name)}`).to.equal(
              true,
            );
          }
        }
      }
    });

    it('builds with kustomize where kubectl is installed', function () {
      this.timeout(30_000);
      const built = builtWithKustomize(this, kubernetesDirectory);
      expect(built.map((object) => object.kind)).to.have.lengthOf(kubernetes.objects.length + 1);
    });
  });

  describe('the all-tiers layout: one delay process for every tier', () => {
    const overlayDirectory = join(infra, 'kubernetes-all-tiers');
    const overlay = objectAt(readYaml(join(overlayDirectory, 'kustomization.yaml'))[0]);
    const added = readYaml(join(overlayDirectory, 'delay-all-tiers.yaml')).map((value) =>
      objectAt(value),
    );
    const composeOverride = objectAt(readYaml(allTiersComposePath)[0], 'services');
    const perTierDelays = (kind: string) =>
      kubernetes
        .ofKind(kind)
        .filter((entry) => entry.file === 'delay.yaml')
        .map((entry) => entry.name);
    const addedDeployment = added.find((object) => object.kind === 'Deployment');
    const addedContainer = objectAt(
      arrayAt(addedDeployment, 'spec', 'template', 'spec', 'containers')[0],
    );
    const environmentOf = (container: Json): Map<string, string> =>
      new Map(
        arrayAt(container, 'env')
          .map((variable) => objectAt(variable))
          .filter((variable) => variable.value !== undefined)
          .map((variable) => [String(variable.name), String(variable.value)] as const),
      );

    it('Kubernetes: replaces every per-tier delay Deployment and budget with one serving --all-tiers', () => {
      expect(stringsOf(overlay.resources)).to.have.members([
        '../kubernetes',
        'delay-all-tiers.yaml',
      ]);
      const deleted = (kind: string) =>
        arrayAt(overlay, 'patches')
          .map((patch) => objectAt(patch))
          .filter((patch) => String(patch.patch).includes('$patch: delete'))
          .map((patch) => objectAt(patch.target))
          .filter((target) => target.kind === kind)
          .map((target) => String(target.name));
      expect(deleted('Deployment')).to.have.members(perTierDelays('Deployment'));
      expect(deleted('PodDisruptionBudget')).to.have.members(perTierDelays('PodDisruptionBudget'));
      expect(stringsOf(addedContainer.args)).to.deep.equal(['run', 'delay', '--all-tiers']);
      expect(environmentOf(addedContainer).get('RICOCHET_TIERS')).to.equal(defaultLadderText);
      expect(overlay.images, 'the base image, set again for the overlay').to.deep.equal(
        kubernetes.kustomization.images,
      );
    });

    it('Kubernetes: matches the API schemas, probes /readyz and /healthz, allows a drain', () => {
      const deployment = new Deployment(addedDeployment as never);
      expect(() => deployment.validate()).to.not.throw();
      const budget = added.find((object) => object.kind === 'PodDisruptionBudget');
      expect(() => new PodDisruptionBudget(budget as never).validate()).to.not.throw();
      expect(objectAt(addedContainer, 'readinessProbe', 'httpGet').path).to.equal('/readyz');
      expect(objectAt(addedContainer, 'livenessProbe', 'httpGet').path).to.equal('/healthz');
      const labels = objectAt(addedDeployment, 'spec', 'template', 'metadata', 'labels');
      const selector = objectAt(budget, 'spec', 'selector', 'matchLabels');
      expect(Object.entries(selector).every(([key, value]) => labels[key] === value)).to.equal(
        true,
      );
      expect(objectAt(budget, 'spec').maxUnavailable).to.equal(1);
      const spec = objectAt(addedDeployment, 'spec');
      const surge = Number(objectAt(spec, 'strategy', 'rollingUpdate').maxSurge);
      expect(Number(spec.replicas) + surge).to.be.at.most(defaultPartitions);
    });

    it('Kubernetes: builds with kustomize where kubectl is installed, one delay Deployment', function () {
      this.timeout(30_000);
      const built = builtWithKustomize(this, overlayDirectory);
      const delays = built.filter(
        (object) =>
          object.kind === 'Deployment' &&
          objectAt(object, 'metadata', 'labels')['app.kubernetes.io/component'] === 'delay',
      );
      expect(delays.map((object) => objectAt(object, 'metadata').name)).to.deep.equal([
        'ricochet-delay-all-tiers',
      ]);
    });

    it('Compose: moves every per-tier delay service out of the way and runs one with --all-tiers', () => {
      const perTier = compose.ricochet
        .filter((service) => service.argv[1] === 'delay')
        .map((service) => service.name);
      const disabled = Object.entries(composeOverride)
        .filter(([, definition]) => arrayAt(definition, 'profiles').length > 0)
        .map(([name]) => name);
      expect(disabled).to.have.members(perTier);
      const delay = objectAt(composeOverride, 'delay');
      expect(objectAt(delay, 'extends')).to.deep.equal({
        file: 'docker-compose.yml',
        service: perTier[0],
      });
      expect(stringsOf(delay.command)).to.deep.equal(['run', 'delay', '--all-tiers']);
      expect(objectAt(delay, 'environment').RICOCHET_TIERS).to.equal(defaultLadderText);
      expect(objectAt(delay, 'depends_on', 'topology').condition).to.equal(
        'service_completed_successfully',
      );
    });

    it('Compose: passes `docker compose config` with the base file where Compose is installed', function () {
      this.timeout(30_000);
      const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
      if (plugin.status !== 0) {
        this.test!.title += ' (skipped: the `docker compose` plugin is not installed)';
        this.skip();
      }
      const result = spawnSync(
        'docker',
        ['compose', '-f', composePath, '-f', allTiersComposePath, 'config', '--services'],
        { cwd: infra, encoding: 'utf8', timeout: 25_000 },
      );
      expect(result.status, result.stderr).to.equal(0);
      const services = result.stdout.split('\n').filter((line) => line.startsWith('delay'));
      expect(services).to.deep.equal(['delay']);
    });
  });

  describe('Grafana dashboard', () => {
    const dashboard = objectAt(JSON.parse(readFileSync(dashboardPath, 'utf8')));
    const panels = arrayAt(dashboard, 'panels').flatMap((panel) => [
      objectAt(panel),
      ...arrayAt(panel, 'panels').map((inner) => objectAt(inner)),
    ]);
    const queries = [
      ...panels.flatMap((panel) =>
        arrayAt(panel, 'targets').map((target) => ({
          where: String(panel.title),
          expr: String(objectAt(target).expr ?? ''),
          legend: String(objectAt(target).legendFormat ?? ''),
        })),
      ),
      ...arrayAt(dashboard, 'templating', 'list')
        .filter((variable) => objectAt(variable).type === 'query')
        .map((variable) => ({
          where: `variable ${String(objectAt(variable).name)}`,
          expr: String(objectAt(variable).definition ?? objectAt(variable, 'query').query),
          legend: '',
        })),
    ];
    const histogramSuffix = /_(bucket|sum|count)$/;

    /** The contract metric a series name belongs to, histogram series included. */
    const metricOf = (series: string): [string, ContractMetric | undefined] => {
      const direct = contract.metrics.get(series);
      if (direct !== undefined) {
        return [series, direct];
      }
      const base = series.replace(histogramSuffix, '');
      const histogram = contract.metrics.get(base);
      return histogram?.type === 'histogram' ? [base, histogram] : [series, undefined];
    };

    it('has panels with queries, and unique panel ids', () => {
      expect(
        queries.filter((query) => query.where.startsWith('variable')),
      ).to.have.length.greaterThan(0);
      const ids = panels.map((panel) => panel.id);
      expect(new Set(ids).size).to.equal(ids.length);
      for (const panel of panels.filter((entry) => entry.type !== 'row')) {
        expect(arrayAt(panel, 'targets'), String(panel.title)).to.have.length.greaterThan(0);
        expect(objectAt(panel, 'datasource').uid, String(panel.title)).to.equal('${datasource}');
      }
    });

    it('queries only metrics of the contract, with their labels', () => {
      for (const { where, expr, legend } of queries) {
        const series = [...expr.matchAll(/\bricochet_[a-z0-9_]+/g)].map((match) => match[0]);
        expect(series, `${where}: ${expr}`).to.have.length.greaterThan(0);
        const labels = new Set<string>();
        for (const name of series) {
          const [, metric] = metricOf(name);
          expect(metric, `${where}: ${name} is not in the contract's Metrics table`).to.not.equal(
            undefined,
          );
          for (const label of metric?.labels ?? []) {
            labels.add(label);
          }
          if (metric?.type === 'histogram') {
            labels.add('le');
          }
          if (name.endsWith('_bucket')) {
            expect(expr, `${where}: buckets only through histogram_quantile`).to.include(
              'histogram_quantile(',
            );
          }
          if (metric?.type === 'counter' && !where.startsWith('variable ')) {
            expect(expr, `${where}: counter ${name} as a rate`).to.match(/\b(rate|increase)\(/);
          }
        }
        const used = [
          ...[...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((match) =>
            (match[1] ?? '').split(','),
          ),
          ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((match) =>
            (match[1] ?? '').split(',').map((matcher) => matcher.split(/[=!~]/)[0] ?? ''),
          ),
          ...[...legend.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)].map((match) => match[1] ?? ''),
        ]
          .map((label) => label.trim())
          .filter((label) => label !== '');
        for (const label of used) {
          expect([...labels], `${where}: label ${label} in ${expr}`).to.include(label);
        }
      }
    });

    it('charts every metric of the contract', () => {
      const charted = new Set(
        queries.flatMap((query) =>
          [...query.expr.matchAll(/\bricochet_[a-z0-9_]+/g)].map((match) => metricOf(match[0])[0]),
        ),
      );
      expect([...charted]).to.include.members([...contract.metrics.keys()]);
    });

    it('shows lateness at p50 and p99, and the handler at p99', () => {
      const quantiles = (metric: string) =>
        queries
          .filter((query) => query.expr.includes(`${metric}_bucket`))
          .map((query) => /histogram_quantile\(\s*([0-9.]+)/.exec(query.expr)?.[1]);
      expect(quantiles('ricochet_redelivery_lateness_seconds')).to.include.members(['0.5', '0.99']);
      expect(quantiles('ricochet_handler_duration_seconds')).to.include('0.99');
    });
  });

  describe('Dockerfile', () => {
    const dockerfile = readFileSync(dockerfilePath, 'utf8').replace(/\\\n/g, ' ');
    const instructions = dockerfile
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const argDefaults = new Map(
      instructions
        .filter((line) => line.startsWith('ARG '))
        .map((line) => line.slice(4).split('=') as [string, string]),
    );
    const stages = instructions
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => line.startsWith('FROM '))
      .map(({ line, index }, position, all) => ({
        image: (line.split(/\s+/)[1] ?? '').replace(
          /\$\{(\w+)\}/g,
          (_, name: string) => argDefaults.get(name) ?? '',
        ),
        body: instructions.slice(index + 1, all[position + 1]?.index ?? instructions.length),
      }));
    const runtime = stages.at(-1);

    it('builds on node:20 with npm ci and npm run build, and runs on a slim node:20', () => {
      expect(stages.length).to.be.at.least(2);
      expect(stages[0]?.image).to.match(/^node:20[-.]/);
      const build = stages[0]?.body.join('\n') ?? '';
      expect(build).to.match(/\bnpm ci\b/);
      expect(build).to.include('npm run build');
      expect(runtime?.image).to.match(/^node:20[-.].*slim/);
    });

    it('runs the CLI as a numeric non-root user, on the contract port', () => {
      const body = runtime?.body ?? [];
      const user = body.filter((line) => line.startsWith('USER ')).at(-1) ?? '';
      expect(user).to.match(/^USER [1-9]\d*(:\d+)?$/);
      const entrypoint = body.find((line) => line.startsWith('ENTRYPOINT ')) ?? '';
      const bin = String(
        objectAt(JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')), 'bin')
          .ricochet,
      );
      expect(JSON.parse(entrypoint.slice('ENTRYPOINT '.length))).to.deep.equal([
        'node',
        posix.join('packages/cli', bin),
      ]);
      expect(body).to.include(`EXPOSE ${contract.httpPort}`);
    });

    it('builds the native modules package.json allows install scripts for', () => {
      const allowed = Object.entries(
        objectAt(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')), 'allowScripts'),
      )
        .filter(([, allow]) => allow === true)
        .map(([name]) => name);
      const rebuilt = [...dockerfile.matchAll(/npm rebuild ([^\n&;]+)/g)].flatMap((match) =>
        (match[1] ?? '').trim().split(/\s+/),
      );
      expect(rebuilt).to.have.members(allowed);
    });

    it('keeps build output and dependencies out of the context', () => {
      const ignored = readFileSync(`${dockerfilePath}.dockerignore`, 'utf8').split('\n');
      expect(ignored).to.include.members(['**/node_modules', '**/dist', '**/*.tsbuildinfo']);
    });
  });
});

/**
 * How to run `docker compose config` here, if at all: the Compose plugin, else the standalone v1
 * `docker-compose` (Debian's package), which predates the top-level `name` and so is given the
 * file without it, on standard input, from infra/ so that relative paths resolve the same.
 */
function composeChecker():
  { command: string; args: string[]; input?: string; description: string } | undefined {
  const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (plugin.status === 0) {
    return {
      command: 'docker',
      args: ['compose', '-f', composePath],
      description: 'docker compose',
    };
  }
  const standalone = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  if (standalone.status === 0) {
    return {
      command: 'docker-compose',
      args: ['--project-directory', '.', '-f', '-'],
      input: readFileSync(composePath, 'utf8').replace(/^name:.*\n/m, ''),
      description: 'docker-compose (v1)',
    };
  }
  return undefined;
}

/**
 * `kubectl kustomize directory`, every object in the ricochet namespace; skips the test where
 * kubectl is not installed.
 */
function builtWithKustomize(context: Mocha.Context, directory: string): Json[] {
  const version = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (version.status !== 0) {
    context.test!.title += ' (skipped: kubectl is not installed)';
    context.skip();
  }
  const build = spawnSync('kubectl', ['kustomize', directory], {
    encoding: 'utf8',
    timeout: 25_000,
  });
  expect(build.status, build.stderr).to.equal(0);
  const built = parseAllDocuments(build.stdout).map((document) => objectAt(document.toJS()));
  for (const object of built) {
    if (object.kind !== 'Namespace') {
      expect(objectAt(object, 'metadata').namespace, String(object.kind)).to.equal('ricochet');
    }
  }
  return built;
}

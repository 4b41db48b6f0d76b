import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type BuildOptions, build, outputDirectory } from './build.js';
import { buildProgress } from './build-progress.js';
import type { DevSession } from './dev/dev-session.js';
import { MEMORY_REPORT_ENV, reportMemoryOnSignal } from './dev/memory-report.js';
import { formatDiagnostic, type Streams } from './diagnostics.js';
import { checkNewRelease, createRelease, NewReleaseError, today } from './new-release.js';
import { SearchIndexError } from './output/search-index.js';
import { describeWriteFailure, OutputError } from './output/write-site.js';
import { Profile } from './profile.js';
import { diffManifests } from './publish/diff.js';
import { diffJson, formatDiff, formatPurge } from './publish/diff-report.js';
import { ManifestError, readManifest } from './publish/manifest.js';
import { formatPlan, formatPublished } from './publish/plan-report.js';
import { lineProgress, terminalProgress } from './publish/progress.js';
import type { PublishOptions } from './publish/publish.js';
import { PublishError } from './publish/publish-error.js';
import { formatS3Target, parseS3Target, S3TargetError } from './publish/s3-target.js';

export type { Streams } from './diagnostics.js';

/** Exit codes: the CLI contract. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `Usage: newsroom <command> [options]

Commands:
  build                 build the site into the output directory
  check                 validate everything, write nothing
  dev                   build, serve on http://127.0.0.1:8080/, rebuild and reload on every change
  new "Title"           create content/news/<slug>.md with every front-matter field
  diff OLD NEW          compare two builds' .newsroom/manifest.json files: changes and the CDN purge list
  publish --to s3://bucket/prefix
                        upload the built output to S3 (or an S3-compatible store): changed files only,
                        assets before pages, then the manifest, then deletes; writes <out>/.newsroom/purge.json

Options for build, check and dev:
  --root DIR            site root (default: current directory)
  --base-url URL        absolute site URL, overrides baseUrl in site.yaml
  --drafts              include drafts and embargoed releases, with a banner (previews only)
  --now ISO-8601        the time embargoes are judged against (default: now)
  --out DIR             build only: output directory (default: <root>/dist)
  --compress            build only: also write .br and .gz copies of text files over 1 KB
  --no-search           build only: make no search index (faster previews; the search page finds nothing)
  --cache-dir DIR       where parsed and rendered files are kept between runs (default: <root>/.cache/newsroom;
                        safe to delete; keep it between CI runs for fast builds)
  --profile             build and check: print where the time went, stage by stage, on stderr

Options for dev:
  --port N              port to serve on (default: 8080; 0 picks a free one)
  --host HOST           address to listen on (default: 127.0.0.1, this machine only)
  --open                open the site in the default browser

Options for new:
  --root DIR            site root (default: current directory)
  --date YYYY-MM-DD     the release date (default: today)
  --lang CODE           language, e.g. fr (default: the site language)
  --location CITY       the dateline city
  --slug SLUG           the URL slug (default: made from the title)

Options for diff:
  --json                print one JSON object: {added, changed, removed, purge: {paths, urls}}

Options for publish (credentials from the AWS SDK's usual sources: AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, or AWS_PROFILE; the prefix belongs to the site: what the build lacks is deleted):
  --to s3://BUCKET/PREFIX
                        where to publish (required)
  --root DIR, --out DIR the built output is --out, or <root>/dist
  --endpoint URL        an S3-compatible endpoint (path-style requests)
  --region REGION       the bucket's region (default: AWS_REGION, else us-east-1)
  --dry-run             print the plan and the purge list, write nothing
  --max-deletes N       refuse to delete more than N objects (default: 256)
  --force               delete however many objects the build no longer has
  --concurrency N       requests at once (default: 8)
  --timeout SECONDS     give up on a request that sends or receives nothing for this long, and retry it
                        (default: 60)
  --drafts              publish a --drafts preview build (refused otherwise: it shows embargoed releases)

  -h, --help            show this help
  -v, --version         show the version

Exit codes: 0 success; 1 content, template or output errors, a port in use, a release that exists already, an
unreadable manifest or a failed publish; 2 bad command line.`;

const defaultStreams: Streams = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

class UsageError extends Error {}

/** `--now` accepts a date (midnight UTC) or a date-time with an offset, never a local time. */
function parseNow(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value);
  const when = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (!ok || Number.isNaN(when.getTime())) {
    throw new UsageError(
      `--now must be an ISO 8601 date or date-time with offset, e.g. 2026-11-27T09:00:00Z (got "${value}")`,
    );
  }
  return when;
}

function parseBaseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--base-url must be an absolute URL like https://newsroom.example.org/ (got "${value}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--base-url must be http or https');
  return url.href;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 8080;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535 (got "${value}")`);
  return port;
}

/** A whole-number option from `min` to `max`. */
function parseCount(option: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < min || count > max) {
    throw new UsageError(`--${option} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return count;
}

/** The options `publish` reads from the command line. */
interface PublishArgs {
  readonly out?: string | undefined;
  readonly to?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly 'dry-run'?: boolean | undefined;
  readonly 'max-deletes'?: string | undefined;
  readonly force?: boolean | undefined;
  readonly concurrency?: string | undefined;
  readonly timeout?: string | undefined;
  readonly drafts?: boolean | undefined;
}

/** `publish`'s options, resolved once: the output directory as for build, the target, region and limits. */
function parsePublish(values: PublishArgs, root: string): PublishOptions {
  if (values.to === undefined) throw new UsageError('publish needs --to s3://bucket/prefix');
  const region = values.region ?? (process.env.AWS_REGION || 'us-east-1');
  if (!/^[\w-]+$/.test(region)) throw new UsageError(`--region must be a region name like eu-west-1 (got "${region}")`);
  if (values.endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(values.endpoint)) {
    throw new UsageError(
      `--endpoint must be an http or https URL like http://127.0.0.1:9000 (got "${values.endpoint}")`,
    );
  }
  try {
    return {
      outDir: outputDirectory(root, values.out === undefined ? undefined : path.resolve(values.out)),
      target: parseS3Target(values.to),
      endpoint: values.endpoint?.replace(/\/$/, ''),
      region,
      dryRun: values['dry-run'] ?? false,
      maxDeletes: parseCount('max-deletes', values['max-deletes'], 256, 0, Number.MAX_SAFE_INTEGER),
      force: values.force ?? false,
      concurrency: parseCount('concurrency', values.concurrency, 8, 1, 100),
      idleSeconds: parseCount('timeout', values.timeout, 60, 1, 3600),
      drafts: values.drafts ?? false,
    };
  } catch (cause) {
    if (cause instanceof S3TargetError || cause instanceof OutputError) throw new UsageError(cause.message);
    throw cause;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const OPTIONS = {
  root: { type: 'string' },
  out: { type: 'string' },
  'base-url': { type: 'string' },
  drafts: { type: 'boolean' },
  compress: { type: 'boolean' },
  'no-search': { type: 'boolean' },
  'cache-dir': { type: 'string' },
  profile: { type: 'boolean' },
  now: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  open: { type: 'boolean' },
  date: { type: 'string' },
  lang: { type: 'string' },
  location: { type: 'string' },
  slug: { type: 'string' },
  json: { type: 'boolean' },
  to: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'max-deletes': { type: 'string' },
  force: { type: 'boolean' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** Which options each command takes. */
const ALLOWED: Record<string, readonly OptionName[]> = {
  build: ['root', 'out', 'base-url', 'drafts', 'now', 'compress', 'no-search', 'cache-dir', 'profile'],
  check: ['root', 'out', 'base-url', 'drafts', 'now', 'cache-dir', 'profile'],
  dev: ['root', 'base-url', 'drafts', 'now', 'port', 'host', 'open', 'cache-dir'],
  new: ['root', 'date', 'lang', 'location', 'slug'],
  diff: ['json'],
  publish: [
    'root',
    'out',
    'to',
    'endpoint',
    'region',
    'dry-run',
    'max-deletes',
    'force',
    'concurrency',
    'timeout',
    'drafts',
  ],
};

/** The parsed command line: one variant per command. */
type Command =
  | { readonly name: 'help' | 'version' }
  | { readonly name: 'build' | 'check'; readonly options: BuildOptions; readonly profile: boolean }
  | {
      readonly name: 'dev';
      readonly root: string;
      readonly baseUrl: string | undefined;
      readonly includeDrafts: boolean;
      readonly now: Date | undefined;
      readonly port: number;
      readonly host: string;
      readonly open: boolean;
      readonly cacheDir: string;
    }
  | {
      readonly name: 'new';
      readonly root: string;
      readonly title: string;
      readonly date: string;
      readonly lang: string | undefined;
      readonly location: string | undefined;
      readonly slug: string | undefined;
    }
  | { readonly name: 'diff'; readonly old: string; readonly next: string; readonly json: boolean }
  | { readonly name: 'publish'; readonly options: PublishOptions };

function parse(argv: readonly string[]): Command {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: OPTIONS,
  });
  if (values.help) return { name: 'help' };
  if (values.version) return { name: 'version' };
  const [name, ...rest] = positionals;
  if (name === undefined) throw new UsageError('no command given');
  const allowed = ALLOWED[name];
  if (!allowed) throw new UsageError(`unknown command "${name}"`);
  for (const option of Object.keys(values) as OptionName[]) {
    if (!allowed.includes(option)) throw new UsageError(`--${option} does not apply to ${name}`);
  }
  const extra = rest.slice(name === 'new' ? 1 : name === 'diff' ? 2 : 0);
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
  const root = path.resolve(values.root ?? process.cwd());
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--root ${root} is not a directory`);
  }
  if (name === 'new') {
    const title = rest[0];
    if (title === undefined) throw new UsageError('new needs a title: newsroom new "IOM Opens ..."');
    const request = {
      title,
      date: values.date ?? today(),
      lang: values.lang,
      location: values.location,
      slug: values.slug,
    };
    try {
      checkNewRelease(request);
    } catch (cause) {
      if (cause instanceof NewReleaseError) throw new UsageError(cause.message);
      throw cause;
    }
    return { name, root, ...request };
  }
  if (name === 'diff') {
    const [old, next] = rest;
    if (old === undefined || next === undefined) {
      throw new UsageError('diff needs two manifests: newsroom diff OLD NEW');
    }
    return { name, old, next, json: values.json ?? false };
  }
  if (name === 'publish') return { name, options: parsePublish(values, root) };
  const baseUrl = parseBaseUrl(values['base-url']);
  const includeDrafts = values.drafts ?? false;
  const now = parseNow(values.now);
  const cacheDir = path.resolve(values['cache-dir'] ?? path.join(root, '.cache', 'newsroom'));
  if (name === 'dev') {
    return {
      name,
      root,
      baseUrl,
      includeDrafts,
      now,
      port: parsePort(values.port),
      host: values.host ?? '127.0.0.1',
      open: values.open ?? false,
      cacheDir,
    };
  }
  return {
    name: name === 'build' ? 'build' : 'check',
    options: {
      root,
      out: values.out === undefined ? undefined : path.resolve(values.out),
      baseUrl,
      includeDrafts,
      now: now ?? new Date(),
      write: name === 'build',
      compress: values.compress ?? false,
      search: !values['no-search'],
      cacheDir,
    },
    profile: values.profile ?? false,
  };
}

async function runBuild(
  command: 'build' | 'check',
  options: BuildOptions,
  streams: Streams,
  flags: { profile: boolean },
): Promise<number> {
  try {
    const profile = flags.profile ? new Profile() : undefined;
    // Progress goes to the terminal only: a line redrawn in place once the build takes a second; in a log, a plain
    // line every 10 s of a long build.
    const tty = process.stderr.isTTY === true;
    const progress = buildProgress(
      (text) => process.stderr.write(text),
      tty ? { redraw: true, after: 1000, interval: 100 } : { redraw: false, after: 10_000, interval: 10_000 },
    );
    const result = await build({ ...options, profile, progress });
    if (profile) streams.err(profile.report());
    for (const d of result.diagnostics) streams.err(formatDiagnostic(d));
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.length - errors;
    const tally = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
    if (errors > 0) {
      streams.err(
        `newsroom: ${command} failed (${tally})${command === 'build' ? '; the previous output is unchanged' : ''}`,
      );
      return EXIT.failed;
    }
    if (result.cacheFailure) {
      const { dir, code } = result.cacheFailure;
      const why = code === undefined ? '' : `: ${describeWriteFailure({ code }, '--cache-dir')}`;
      streams.err(
        `newsroom: warning: could not write to the cache in ${dir} (${result.stats.unwritable} entries)${why}; this build is complete, the next one will redo the work it could not keep`,
      );
    }
    const where = path.relative(process.cwd(), result.outDir) || '.';
    const counted = `${result.stats.pages} pages and ${result.stats.feeds} feeds and sitemaps`;
    const { stats } = result;
    const work =
      `${stats.rendered} rendered, ${stats.written} files written, ${stats.unchanged} unchanged, ` +
      `${stats.fromCache} of ${stats.sources} sources from the cache, ${(stats.milliseconds / 1000).toFixed(1)} s`;
    streams.out(
      command === 'build'
        ? `newsroom: built ${counted} into ${where} (${tally}): ${work}`
        : `newsroom: checked ${counted} (${tally}): ${stats.fromCache} of ${stats.sources} sources from the cache, ${(stats.milliseconds / 1000).toFixed(1)} s`,
    );
    return EXIT.ok;
  } catch (cause) {
    if (cause instanceof OutputError) {
      streams.err(`newsroom: ${cause.message}; the previous output is unchanged`);
      return EXIT.failed;
    }
    if (cause instanceof SearchIndexError) {
      streams.err(
        `newsroom: the search index could not be made (${cause.message}): reinstall with npm ci (Pagefind's binary comes with it); the previous output is unchanged`,
      );
      return EXIT.failed;
    }
    throw cause;
  }
}

/** Resolves on Ctrl-C or a termination signal; a second one exits the process with 130. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // A second Ctrl-C while the first is being honoured quits at once (the next start removes what is left).
      const now = (): never => process.exit(130);
      process.once('SIGINT', now);
      process.once('SIGTERM', now);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Opens `url` in the desktop's browser; failing to is not an error (a server may have no desktop). */
function openBrowser(url: string): void {
  const [program, ...args] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '', url]
        : ['xdg-open', url];
  const child = spawn(program ?? 'xdg-open', args, { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
}

async function runDev(command: Extract<Command, { name: 'dev' }>, streams: Streams, until: () => Promise<void>) {
  // Listen for Ctrl-C from the start: the first build of a large site takes a while. A first Ctrl-C stops once it is
  // done, cleanly; a second one quits at once (Node's default), and the next start removes what that left.
  let started = false;
  let stopping = false;
  const stop = until().then(() => {
    stopping = true;
    if (!started) streams.err('newsroom: stopping once the first build is done (Ctrl-C again to quit at once)');
  });
  let session: DevSession;
  try {
    // Imported here: the dev server's modules (watcher, static server) are no cost to the other commands.
    const { DevSession } = await import('./dev/dev-session.js');
    session = await DevSession.start({ ...command, streams });
    started = true;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const why =
        code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'needs more privileges' : 'is not available';
      streams.err(`newsroom: ${command.host}:${command.port} ${why}: stop the other server or pass --port N`);
      return EXIT.failed;
    }
    throw cause;
  }
  if (!stopping) {
    streams.out(`newsroom: serving ${session.url} (Ctrl-C to stop)`);
    if (command.open) openBrowser(session.url);
  }
  // For `npm run soak`: memory figures on SIGUSR2, only when asked for (a stray signal must not print by default).
  const stopReporting = process.env[MEMORY_REPORT_ENV] ? reportMemoryOnSignal(streams.out) : undefined;
  await stop;
  stopReporting?.();
  await session.close();
  streams.out('newsroom: stopped');
  return EXIT.ok;
}

async function runNew(command: Extract<Command, { name: 'new' }>, streams: Streams): Promise<number> {
  try {
    const { file, url } = await createRelease(command.root, command);
    streams.out(`newsroom: created ${file}`);
    streams.out(`It will be published at ${url} once you set draft: false. Preview it with: npm start -- --drafts`);
    return EXIT.ok;
  } catch (cause) {
    if (cause instanceof NewReleaseError) {
      streams.err(`newsroom: ${cause.message}`);
      return EXIT.failed;
    }
    throw cause;
  }
}

async function runDiff(command: Extract<Command, { name: 'diff' }>, streams: Streams): Promise<number> {
  try {
    const [old, next] = await Promise.all([readManifest(command.old), readManifest(command.next)]);
    const diff = diffManifests(old, next);
    if (command.json) streams.out(diffJson(diff));
    else for (const line of formatDiff(diff)) streams.out(line);
    return EXIT.ok;
  } catch (cause) {
    if (cause instanceof ManifestError) {
      streams.err(`newsroom: ${cause.message}`);
      return EXIT.failed;
    }
    throw cause;
  }
}

async function runPublish(options: PublishOptions, streams: Streams): Promise<number> {
  // Loaded only here: the AWS SDK takes a while to load, and no other command needs it.
  const { publish } = await import('./publish/publish.js');
  const progress =
    streams === defaultStreams && process.stderr.isTTY
      ? terminalProgress((text) => process.stderr.write(text))
      : lineProgress(streams.err);
  const where = formatS3Target(options.target);
  try {
    const { plan, diff, refusal, purgeFile, purge } = await publish(options, progress);
    if (options.dryRun) {
      for (const line of formatPlan(plan, diff.purge, where, refusal)) streams.out(line);
      if (refusal) streams.err(`newsroom: ${refusal}`);
      return refusal ? EXIT.failed : EXIT.ok;
    }
    streams.out(formatPublished(plan, where));
    for (const line of formatPurge(purge)) streams.out(line);
    if (purgeFile) {
      const shown = path.relative(process.cwd(), purgeFile);
      streams.out(`newsroom: wrote the purge list to ${shown.startsWith('..') ? purgeFile : shown}`);
    }
    return EXIT.ok;
  } catch (cause) {
    if (cause instanceof PublishError || cause instanceof ManifestError) {
      streams.err(`newsroom: ${cause.message}`);
      return EXIT.failed;
    }
    throw cause;
  }
}

/**
 * Runs the CLI and returns the exit code; the only place that decides it. `until` is how long `dev` serves
 * (by default, until Ctrl-C).
 */
export async function main(
  argv: readonly string[],
  streams: Streams = defaultStreams,
  until: () => Promise<void> = untilSignal,
): Promise<number> {
  let command: Command;
  try {
    command = parse(argv);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    streams.err(`newsroom: ${message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  switch (command.name) {
    case 'help':
      streams.out(USAGE);
      return EXIT.ok;
    case 'version':
      streams.out(version());
      return EXIT.ok;
    case 'dev':
      return runDev(command, streams, until);
    case 'new':
      return runNew(command, streams);
    case 'diff':
      return runDiff(command, streams);
    case 'publish':
      return runPublish(command.options, streams);
    default:
      return runBuild(command.name, command.options, streams, { profile: command.profile });
  }
}

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type BuildOptions, build } from './build.js';
import { formatDiagnostic } from './diagnostics.js';
import { OutputError } from './output/write-site.js';

/** Exit codes: the CLI contract. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `Usage: newsroom <command> [options]

Commands:
  build            build the site into the output directory
  check            validate everything, write nothing

Options:
  --root DIR       site root (default: current directory)
  --out DIR        output directory (default: <root>/dist)
  --base-url URL   absolute site URL, overrides baseUrl in site.yaml
  --drafts         include drafts and embargoed releases (previews only)
  --now ISO-8601   the time embargoes are judged against (default: now)
  -h, --help       show this help
  -v, --version    show the version

Exit codes: 0 built or checked cleanly, 1 content or output errors, 2 bad command line.`;

/** Where the CLI writes; injectable so tests can capture it. */
export interface Streams {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const defaultStreams: Streams = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

class UsageError extends Error {}

/** `--now` accepts a date (midnight UTC) or a date-time with an offset, never a local time. */
function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
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

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function parse(argv: readonly string[]): { command: string | undefined; options: BuildOptions | undefined } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      root: { type: 'string' },
      out: { type: 'string' },
      'base-url': { type: 'string' },
      drafts: { type: 'boolean', default: false },
      now: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  if (values.help) return { command: 'help', options: undefined };
  if (values.version) return { command: 'version', options: undefined };
  const [command, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
  const root = path.resolve(values.root ?? process.cwd());
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--root ${root} is not a directory`);
  }
  return {
    command,
    options: {
      root,
      out: values.out === undefined ? undefined : path.resolve(values.out),
      baseUrl: parseBaseUrl(values['base-url']),
      includeDrafts: values.drafts,
      now: parseNow(values.now),
      write: command === 'build',
    },
  };
}

/** Runs the CLI and returns the exit code; the only place that decides it. */
export async function main(argv: readonly string[], streams: Streams = defaultStreams): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    streams.err(`newsroom: ${message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { command, options } = parsed;
  if (command === 'help') {
    streams.out(USAGE);
    return EXIT.ok;
  }
  if (command === 'version') {
    streams.out(version());
    return EXIT.ok;
  }
  if ((command !== 'build' && command !== 'check') || !options) {
    streams.err(`newsroom: ${command ? `unknown command "${command}"` : 'no command given'}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const result = await build(options);
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
    const where = path.relative(process.cwd(), result.outDir) || '.';
    streams.out(
      command === 'build'
        ? `newsroom: built ${result.files.length} pages into ${where} (${tally})`
        : `newsroom: checked ${result.routes.length} pages (${tally})`,
    );
    return EXIT.ok;
  } catch (cause) {
    if (cause instanceof OutputError) {
      streams.err(`newsroom: ${cause.message}; the previous output is unchanged`);
      return EXIT.failed;
    }
    throw cause;
  }
}

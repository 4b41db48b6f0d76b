import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/** The repository root. */
export const REPO = path.resolve(import.meta.dirname, '..', '..');

/** The credentials s3rver accepts. */
export const S3RVER_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

/** The outcome of one run of the real bin. */
export interface ProcessRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running `node bin/newsroom.js`, with its output so far and its end. */
export interface RunningProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<ProcessRun>;
}

/**
 * Starts the compiled CLI with a clean environment: only PATH, HOME, no AWS profile files and no instance metadata,
 * plus `env` (for example `S3RVER_ENV`).
 */
export function startNewsroom(
  args: readonly string[],
  env: Record<string, string> = {},
  /** A command to run it through, e.g. `setpriv` with its options and `--`. */
  through: readonly string[] = [],
): RunningProcess {
  const command = [...through, process.execPath, path.join(REPO, 'bin/newsroom.js'), ...args];
  const child = spawn(command[0] as string, command.slice(1), {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NO_COLOR: '1',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString('utf8');
  });
  const exited = new Promise<ProcessRun>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, ...output })),
  );
  return { child, output, exited };
}

/** Runs the compiled CLI to the end (see `startNewsroom`). */
export function newsroom(
  args: readonly string[],
  env: Record<string, string> = {},
  through: readonly string[] = [],
): Promise<ProcessRun> {
  return startNewsroom(args, env, through).exited;
}

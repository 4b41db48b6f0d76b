// Fault injection for the kill tests, preloaded into the real CLI with NODE_OPTIONS="--import <this file>" (plain
// JavaScript: it runs in the compiled CLI's process, before its modules load). It wraps file-system calls of the
// main thread; the wrappers reach the CLI's `import { rename } from 'node:fs/promises'` through
// syncBuiltinESMExports.
//
// NEWSROOM_TEST_KILL_AT='{"op":"rename","nth":2,"when":"after","match":"regex"}': the process sends itself SIGKILL
// just before (or just after) the nth call of `op` whose string arguments, joined with " -> ", match `match`.
// NEWSROOM_TEST_TRACE=file: counts the calls of each operation and writes the counts to `file` as JSON at exit.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const ASYNC = ['writeFile', 'rename', 'link', 'rm', 'mkdir', 'copyFile'];
const SYNC = ['writeFileSync', 'renameSync', 'linkSync', 'rmSync', 'mkdirSync'];

const die = () => process.kill(process.pid, 'SIGKILL');

/** Replaces `owner[name]` with `wrap(original)`. */
function patch(owner, name, wrap) {
  const original = owner[name];
  owner[name] = wrap(original);
}

if (isMainThread && process.env.NEWSROOM_TEST_TRACE) {
  const file = process.env.NEWSROOM_TEST_TRACE;
  const counts = {};
  const count = (name, original) =>
    function counted(...args) {
      counts[name] = (counts[name] ?? 0) + 1;
      return original.apply(this, args);
    };
  for (const name of ASYNC) patch(fs.promises, name, (original) => count(name, original));
  for (const name of SYNC) patch(fs, name, (original) => count(name, original));
  const write = fs.writeFileSync;
  process.on('exit', () => write(file, JSON.stringify(counts)));
  syncBuiltinESMExports();
}

if (isMainThread && process.env.NEWSROOM_TEST_KILL_AT) {
  const { op, nth, when, match } = JSON.parse(process.env.NEWSROOM_TEST_KILL_AT);
  const pattern = match === undefined ? undefined : new RegExp(match);
  const owner = ASYNC.includes(op) ? fs.promises : fs;
  let seen = 0;
  patch(
    owner,
    op,
    (original) =>
      function killing(...args) {
        const described = args.filter((a) => typeof a === 'string').join(' -> ');
        const hit = (pattern === undefined || pattern.test(described)) && ++seen === nth;
        if (hit && when === 'before') die();
        const result = original.apply(this, args);
        if (hit && when === 'after') {
          if (result instanceof Promise) return result.then(die, die);
          die();
        }
        return result;
      },
  );
  syncBuiltinESMExports();
}

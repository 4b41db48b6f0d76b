#!/usr/bin/env node
// The CLI entry: runs the compiled TypeScript in lib/ (built by `npm ci` through the `prepare` script).
import { existsSync } from 'node:fs';

const compiled = new URL('../lib/cli.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('newsroom: lib/ is missing; run `npm ci` (or `npm run prepare`) to compile it\n');
  process.exit(2);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv.slice(2));

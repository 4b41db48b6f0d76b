import { createHash } from 'node:crypto';
import type { SourceKind } from './load-source.js';

/**
 * The content key of a load result: everything it is made from. `contextKey` is the load settings serialized, once
 * per batch rather than once per file (they hold every public/ file's path). In a module of its own, so a warm
 * build can key files without loading the Markdown pipeline.
 */
export function loadKey(fingerprint: string, kind: SourceKind, contextKey: string, file: string, text: string): string {
  return createHash('sha256').update(`${fingerprint}\0${kind}\0${contextKey}\0${file}\0`).update(text).digest('hex');
}

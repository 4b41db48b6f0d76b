import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from './discover.js';
import { byteSize, fileSizeError } from './limits.js';
import { loadPage, type Page } from './page.js';
import { type LoadContext, loadRelease, type Release } from './release.js';

/** The two kinds of Markdown source, loaded alike. */
export type SourceKind = 'release' | 'page';

/** What loading a file gives: the value when it is valid, and its problems either way. */
export interface LoadResult<T extends Release | Page = Release | Page> {
  readonly value: T | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** A {@link LoadContext} without the Markdown renderer: what a worker thread is sent. */
export type LoadSettings = Omit<LoadContext, 'renderMarkdown' | 'assets'> & { readonly assets: readonly string[] };

/** Loads a release or a page: front matter, validation, Markdown. Independent of every other file. */
export function loadSource(kind: SourceKind, source: SourceFile, context: LoadContext): LoadResult {
  const bytes = byteSize(source.text, context.limits.fileSize);
  if (bytes > context.limits.fileSize) {
    return { value: undefined, diagnostics: [fileSizeError(source.path, bytes, context.limits.fileSize)] };
  }
  if (kind === 'release') {
    const { release, diagnostics } = loadRelease(source, context);
    return { value: release, diagnostics };
  }
  const { page, diagnostics } = loadPage(source, context);
  return { value: page, diagnostics };
}

import * as pagefind from 'pagefind';
import type { OutputFile } from './write-site.js';

/** Where the search bundle goes in the output, and where the search page loads it from. */
export const SEARCH_BUNDLE = 'pagefind';

/** Pagefind's ready-made UIs and the index of pages with no language: the search page uses none of them. */
const UNUSED = /(?:-ui\.(?:js|css)$|^pagefind-highlight\.js$|^wasm\.unknown\.)/;

const BATCH = 256;

/** The search index could not be made (Pagefind's binary missing or failing). */
export class SearchIndexError extends Error {
  override name = 'SearchIndexError';
}

/**
 * Indexes `pages` (rendered HTML of the published releases) with Pagefind, in memory, and returns its bundle
 * (index, fragments, filters, the search library) as files for the output. Pagefind splits the index by each
 * page's `lang`, so every language searches its own releases; filters come from `data-pagefind-filter` marks.
 */
export function searchIndex(pages: readonly OutputFile[]): Promise<OutputFile[]> {
  // Pagefind runs one service per process, and closing it ends every index in it: builds in one process (tests,
  // a long-lived tool) take turns.
  const run = queue.then(() => indexPages(pages));
  queue = run.catch(() => undefined);
  return run;
}

let queue: Promise<unknown> = Promise.resolve();

async function indexPages(pages: readonly OutputFile[]): Promise<OutputFile[]> {
  try {
    const created = await pagefind.createIndex({});
    const index = created.index;
    if (!index) throw new SearchIndexError(created.errors.join('; ') || 'Pagefind made no index');
    // Pagefind's service takes many files at once: keep a batch in flight rather than one round trip per page.
    for (let i = 0; i < pages.length; i += BATCH) {
      const batch = pages.slice(i, i + BATCH);
      const added = await Promise.all(
        batch.map((page) => index.addHTMLFile({ sourcePath: page.path, content: String(page.contents) })),
      );
      added.forEach((result, j) => {
        if (result.errors.length) throw new SearchIndexError(`${batch[j]?.path}: ${result.errors.join('; ')}`);
      });
    }
    const { files, errors } = await index.getFiles();
    if (errors.length) throw new SearchIndexError(errors.join('; '));
    return files
      .filter((file) => !UNUSED.test(file.path))
      .map((file) => ({ path: `${SEARCH_BUNDLE}/${file.path}`, contents: Buffer.from(file.content) }))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  } catch (cause) {
    if (cause instanceof SearchIndexError) throw cause;
    throw new SearchIndexError(cause instanceof Error ? cause.message : String(cause), { cause });
  } finally {
    await pagefind.close();
  }
}

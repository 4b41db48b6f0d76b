import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { discover } from './content/discover.js';
import { splitFrontMatter } from './content/front-matter.js';
import { LANG, SLUG } from './content/schema.js';
import { slugify } from './slug.js';

/** What `newsroom new` was asked for, checked. */
export interface NewRelease {
  readonly title: string;
  /** YYYY-MM-DD. */
  readonly date: string;
  readonly lang: string | undefined;
  readonly location: string | undefined;
  /** Derived from the title when undefined. */
  readonly slug: string | undefined;
}

/** A problem with what the editor asked for, said so they can fix it. */
export class NewReleaseError extends Error {
  override name = 'NewReleaseError';
}

/** Today's date where the editor is, YYYY-MM-DD. */
export function today(now = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Checks the editor's options before any file is touched. */
export function checkNewRelease(request: NewRelease): { slug: string } {
  if (request.title.trim() === '')
    throw new NewReleaseError('the title must not be empty: newsroom new "IOM Opens ..."');
  const [y, m, d] = request.date.split('-').map(Number);
  const day = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 0));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(request.date) || day.toISOString().slice(0, 10) !== request.date) {
    throw new NewReleaseError(`--date must be a real date as YYYY-MM-DD (got "${request.date}")`);
  }
  if (request.lang !== undefined && !LANG.test(request.lang)) {
    throw new NewReleaseError(`--lang must be a language code like en, fr or es (got "${request.lang}")`);
  }
  if (request.location !== undefined && request.location.trim() === '') {
    throw new NewReleaseError('--location must not be empty');
  }
  const slug = request.slug ?? slugify(request.title);
  if (!SLUG.test(slug)) {
    throw new NewReleaseError(
      request.slug === undefined
        ? 'cannot make a URL slug from this title: pass --slug with lowercase letters, digits and hyphens'
        : `--slug may contain only lowercase letters, digits and hyphens (got "${slug}")`,
    );
  }
  return { slug };
}

/** A YAML scalar for any text: JSON strings are valid YAML double-quoted strings. */
const yamlText = (value: string): string => JSON.stringify(value.trim());

/** The new file's text: every front-matter field, the optional ones commented out with a hint. */
export function releaseText(request: NewRelease): string {
  const optional = (line: string, value: string | undefined): string =>
    value === undefined
      ? `# ${line}`
      : line.replace(/^(\w+):.*?(\s+#|$)/, (_all, key: string, rest: string) => `${key}: ${yamlText(value)}${rest}`);
  return `---
title: ${yamlText(request.title)}
date: ${request.date}
${optional('location: Geneva             # the dateline city, printed in capitals before the first paragraph', request.location)}
# country: Switzerland
# region: Europe and Central Asia
# themes:
#   - Migration governance
# summary: One or two sentences for listings, feeds and search results.
${optional('lang: en                     # default: the site language', request.lang)}
# translationKey: the-english-slug   # the same key on every language version of this release
# updated: ${request.date}           # the date of the last real edit: translations older than it are reported
# image:
#   src: /images/photo.jpg       # a file in public/, or an https:// URL
#   alt: What the photo shows, for readers who cannot see it
#   caption: What is happening, where and when
#   credit: IOM 2026
# contacts:
#   - name: Full Name
#     office: IOM Geneva
#     phone: +41 22 717 9111
#     email: name@iom.int
# embargo: ${request.date}T09:00:00+01:00   # not published before this moment
# aliases: [/news/old-slug/]     # old URLs of this release on the site, redirected here
draft: true                    # a draft is not published: set to false (or delete this line) to publish
---

Write the first paragraph here: who, what, where and when.

A quote: “Migration is a fact of life,” said ...

## A subheading, if the release needs one

More paragraphs.
`;
}

/** Creates `content/news/<slug>.md`; refuses to overwrite a file or to reuse a slug another release has. */
export async function createRelease(root: string, request: NewRelease): Promise<{ file: string; url: string }> {
  const { slug } = checkNewRelease(request);
  const file = `content/news/${slug}.md`;
  const { sources } = await discover(root);
  // The slug a release has: its front matter's `slug`, else its file name (as the build decides).
  const slugOf = (source: { path: string; text: string }): string => {
    const value = splitFrontMatter(source).split?.data.value;
    const declared = typeof value === 'object' && value !== null ? (value as { slug?: unknown }).slug : undefined;
    return typeof declared === 'string' ? declared : path.posix.basename(source.path, '.md');
  };
  const taken = sources.releases.find((source) => slugOf(source) === slug);
  if (taken) {
    throw new NewReleaseError(`${taken.path} already has the URL /news/${slug}/: choose another title or pass --slug`);
  }
  await mkdir(path.join(root, 'content', 'news'), { recursive: true });
  try {
    await writeFile(path.join(root, file), releaseText(request), { flag: 'wx' });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new NewReleaseError(`${file} already exists: it was not changed`, { cause });
    }
    throw cause;
  }
  return { file, url: `/news/${slug}/` };
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO, TRANSLATIONS_YAML } from './site.js';

/** One hostile input of the corpus in tests/fixtures/xss/vectors.json. */
export interface Vector {
  readonly id: string;
  /** A key of {@link Corpus.sources}. */
  readonly source: string;
  readonly name: string;
  readonly payload: string;
}

/** The XSS corpus: where each list comes from, and the vectors. */
export interface Corpus {
  readonly sources: Readonly<Record<string, string>>;
  readonly vectors: readonly Vector[];
}

/** Reads the corpus. */
export function readCorpus(): Corpus {
  return JSON.parse(readFileSync(path.join(REPO, 'tests', 'fixtures', 'xss', 'vectors.json'), 'utf8')) as Corpus;
}

/** A 1x1 PNG, the local image every hostile release shows (its alt, caption and credit are the payload). */
export const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Every field of a release (and of a section page) an editor writes, each of which gets the payload. */
export const RELEASE_FIELDS = [
  'body',
  'title',
  'summary',
  'location',
  'country',
  'region',
  'themes',
  'contacts.name',
  'contacts.office',
  'image.alt',
  'image.caption',
  'image.credit',
  'page.title',
  'page.summary',
  'page.body',
] as const;

/** The marker word on every hostile release, which the search test looks for. */
export const MARKER = 'xssprobe';

/**
 * Vectors per release: its every field holds their payloads, one a line. Five, so a browser opens 50 release pages
 * rather than 250 (the news feeds, with the newest 50 releases, then hold every vector too).
 */
export const PER_RELEASE = 5;

/** Releases per archive term (theme, region, country) and section page: 25 of each. */
export const RELEASES_PER_TERM = 2;

/** The payloads of some vectors, one a line: a field holding all of them. */
export const joined = (group: readonly Vector[]): string => group.map((v) => v.payload).join('\n');

/** The vectors in groups of `size`, in order. */
export function chunks(vectors: readonly Vector[], size: number): Vector[][] {
  return Array.from({ length: Math.ceil(vectors.length / size) }, (_, i) => vectors.slice(i * size, (i + 1) * size));
}

/** The slug of the k-th hostile release. */
export const releaseSlug = (k: number): string => `hostile-${k}`;

/**
 * A release whose every field holds its vectors' payloads. Its theme, region and country hold those of its term
 * group (with the group's number, so no two groups' terms share a URL).
 */
function hostileRelease(group: readonly Vector[], k: number, termGroup: readonly Vector[]): string {
  const day = new Date(Date.UTC(2020, 0, 1) + k * 5 * 86_400_000).toISOString().slice(0, 10);
  const all = joined(group);
  const t = Math.floor(k / RELEASES_PER_TERM);
  const meta = {
    title: all,
    date: day,
    location: all,
    country: `Country ${t} ${joined(termGroup)}`,
    region: `Region ${t} ${joined(termGroup)}`,
    themes: [`Theme ${t} ${joined(termGroup)}`],
    summary: all,
    contacts: [{ name: all, office: all, phone: '+41 22 717 9111', email: `press-${k}@example.org` }],
    image: { src: '/images/pixel.png', alt: all, caption: all, credit: all },
  };
  const body = group.map((v) => `${MARKER} ${v.id}\n\n${v.payload}\n\nInline: ${v.payload} (end)\n\n`).join('');
  return `---\n${stringify(meta)}---\n\n${body}`;
}

/** A section page whose title, summary and body hold its vectors' payloads. */
function hostilePage(group: readonly Vector[]): string {
  const all = joined(group);
  return `---\n${stringify({ title: all, summary: all })}---\n\n${group.map((v) => `${v.payload}\n\n`).join('')}`;
}

/**
 * The files of the content site: releases and section pages whose every field holds payloads (see
 * {@link PER_RELEASE}); the usual site.yaml, navigation and translations. Its releases show
 * public/images/pixel.png: write {@link PIXEL} there.
 */
export function contentSiteFiles(vectors: readonly Vector[]): Record<string, string> {
  const files: Record<string, string> = {};
  const termGroups = chunks(vectors, PER_RELEASE * RELEASES_PER_TERM);
  chunks(vectors, PER_RELEASE).forEach((group, k) => {
    files[`content/news/${releaseSlug(k)}.md`] = hostileRelease(
      group,
      k,
      termGroups[Math.floor(k / RELEASES_PER_TERM)] ?? [],
    );
  });
  termGroups.forEach((group, g) => {
    files[`content/pages/group-${g}/index.md`] = hostilePage(group);
  });
  return files;
}

/** The site.yaml strings an editor writes. */
export const SITE_FIELDS = [
  'title',
  'description',
  'organisation.name',
  'organisation.shortName',
  'organisation.address',
] as const;

/** The translations.yaml strings the site-data build fills with payloads (English; `{section}` kept where used). */
export const TRANSLATED_STRINGS = [
  'organisationName',
  'siteDescription',
  'skipToContent',
  'mainNavigation',
  'submenu',
  'readMore',
  'search',
  'searchResults',
  'mediaEnquiries',
  'notFoundText',
] as const;

/**
 * The files of the site-data site: every payload in each site.yaml string (joined, one a line), each as the label of
 * a navigation entry (ten top entries with submenus), and in the translations strings above; three plain releases
 * and a section page for the entries to lead to.
 */
export function dataSiteFiles(vectors: readonly Vector[]): Record<string, string> {
  const all = vectors.map((v) => v.payload).join('\n');
  const site = {
    title: all,
    description: all,
    baseUrl: 'https://news.example.org/',
    language: 'en',
    organisation: { name: all, shortName: all, address: all, url: 'https://www.iom.int/', email: 'media@iom.int' },
  };
  const targets = ['/news/', '/news/a/', '/news/b/', '/news/c/', '/about/', '/themes/', '/search/'];
  const groups = 10;
  const items = Array.from({ length: groups }, (_, g) => {
    const [first, ...rest] = vectors.filter((_, i) => i % groups === g);
    return {
      label: first?.payload ?? 'News',
      url: targets[g % targets.length],
      children: rest.map((v, i) => ({ label: v.payload, url: targets[(g + i + 1) % targets.length] })),
    };
  });
  const translations = parse(TRANSLATIONS_YAML) as { strings: Record<string, Record<string, string>> };
  for (const key of TRANSLATED_STRINGS) {
    const entry = translations.strings[key];
    if (!entry) throw new Error(`translations.yaml has no ${key}`);
    entry.en = key === 'submenu' ? `${all} {section}` : key === 'searchResults' ? `{count} ${all}` : all;
  }
  const plain = (slug: string, title: string, date: string) =>
    `---\n${stringify({ title, date, location: 'Geneva', country: 'Switzerland', region: 'Europe', themes: ['Migration'], summary: `${MARKER} release.` })}---\n\n${MARKER} text of ${slug}.\n`;
  return {
    'content/_data/site.yaml': stringify(site),
    'content/_data/navigation.yaml': stringify({ items }),
    'content/_data/translations.yaml': stringify(translations),
    'content/news/a.md': plain('a', 'First release', '2024-01-02'),
    'content/news/b.md': plain('b', 'Second release', '2025-02-03'),
    'content/news/c.md': plain('c', 'Third release', '2025-03-04'),
    'content/pages/about/index.md': `---\ntitle: About\n---\n\n${MARKER} about.\n`,
  };
}

import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { build, compileSite } from '../../src/build.js';
import { BuildCache } from '../../src/build-cache.js';
import type { Listing } from '../../src/content/discover.js';
import { DevOutput } from '../../src/dev/dev-output.js';
import { fuzzParameters } from '../helpers/fuzz.js';
import { makeSite, NAV_YAML, SITE_YAML, tempDir } from '../helpers/site.js';
import { readDevTree, readTree } from '../helpers/tree.js';

/**
 * The dev server's promise: after any sequence of edits, its output is byte for byte what a clean build of the
 * same files writes (and after a failing edit, exactly the last good build). Checked after every step of random
 * edit sequences. `NEWSROOM_FUZZ_RUNS` raises the number of sequences (`npm run fuzz`).
 */

const NOW = new Date('2026-01-01T00:00:00Z');
const SLOTS = 5;
/** Background releases, so the slots move releases across the boundary between news index pages (20 a page). */
const BACKGROUND = 18;

/** A release slot's fields, each a small number picking one of a few values. */
interface ReleaseFields {
  title: number;
  date: number;
  body: number;
  draft: number;
  embargo: number;
  broken: number;
  /** 0: English; 1: French, a translation of slot % 2's key; 2: English with that key (a source). */
  lang: number;
}
type Field = keyof ReleaseFields;
const FIELDS: Field[] = ['title', 'date', 'body', 'draft', 'embargo', 'broken', 'lang'];
const FIRST: ReleaseFields = { title: 0, date: 0, body: 0, draft: 0, embargo: 0, broken: 0, lang: 0 };
/** The test site publishes in English and French, so releases move between languages and link as translations. */
const BILINGUAL = `${SITE_YAML}languages: [en, fr]\n`;

type Action =
  | { kind: 'release'; slot: number; field: Field; value: number }
  | { kind: 'delete-release'; slot: number }
  | { kind: 'move-release'; slot: number }
  | { kind: 'page'; slot: number; title: number; present: boolean }
  | { kind: 'partial'; variant: number }
  | { kind: 'layout'; variant: number }
  | { kind: 'nav'; variant: number }
  | { kind: 'site'; variant: number }
  | { kind: 'asset'; variant: number }
  | { kind: 'css'; variant: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    // One field of one release at a time, as editors work: a body-only edit must show as much as a new title.
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      slot: fc.nat(SLOTS - 1),
      field: fc.constantFrom(...FIELDS),
      value: fc.nat(2),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete-release' as const), slot: fc.nat(SLOTS - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('move-release' as const), slot: fc.nat(SLOTS - 1) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('page' as const),
      slot: fc.nat(2),
      title: fc.nat(2),
      present: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('partial' as const), variant: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('layout' as const), variant: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nav' as const), variant: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('site' as const), variant: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('asset' as const), variant: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('css' as const), variant: fc.nat(1) }) },
);

const PAGES = ['content/pages/about/index.md', 'content/pages/about/team.md', 'content/pages/contact.md'];
const BODIES = [
  'Officials met today.\n',
  'Officials met today.\n\n> “We act now,” said the Director.\n\n- one\n- two\n',
  'A new paragraph.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
];

function releaseText(slot: number, a: ReleaseFields): string {
  const lines = [
    `title: Release ${slot} version ${a.title}`,
    a.broken === 2 ? 'date: 2019-02-30' : `date: 201${a.date + 2}-0${slot + 1}-1${a.date}`,
    `location: ${['Geneva', 'Beijing', 'Dakar'][a.title]}`,
    `summary: Summary ${a.title}.`,
    `themes: [Theme ${a.date % 2}${a.body === 1 ? ', Theme 2' : ''}]`,
    `country: ${['Chad', 'Peru', 'Chad'][a.title]}`,
    `region: ${['Africa', 'Americas', 'Africa'][a.title]}`,
    ...(a.lang === 1 ? ['lang: fr'] : []),
    ...(a.lang > 0 ? [`translationKey: k${slot % 2}`, `updated: 2015-0${a.body + 1}-01`] : []),
    ...(a.draft === 1 ? ['draft: true'] : []),
    ...(a.embargo === 1
      ? ['embargo: 2030-01-01T09:00:00+01:00']
      : a.embargo === 2
        ? ['embargo: 2020-01-01T09:00:00Z']
        : []),
  ];
  return `---\n${lines.join('\n')}\n---\n\n${BODIES[a.body]}`;
}

/** A site on disk and where each slot's release lives now. */
interface World {
  readonly root: string;
  readonly located: Map<number, string>;
  readonly fields: Map<number, ReleaseFields>;
  readonly templates: { partial: string; layout: string };
}

async function put(root: string, file: string, text: string | undefined): Promise<void> {
  const full = path.join(root, file);
  if (text === undefined) {
    await rm(full, { force: true });
    return;
  }
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, text);
}

/** Applies one edit to the files; returns the root-relative paths it touched, as a watcher would report them. */
async function apply(world: World, a: Action): Promise<string[]> {
  const { root, located } = world;
  const home = (slot: number): string => located.get(slot) ?? `content/news/r${slot}.md`;
  switch (a.kind) {
    case 'release': {
      const file = home(a.slot);
      located.set(a.slot, file);
      const fields = { ...(world.fields.get(a.slot) ?? FIRST), [a.field]: a.value };
      world.fields.set(a.slot, fields);
      await put(root, file, releaseText(a.slot, fields));
      return [file];
    }
    case 'delete-release': {
      const file = located.get(a.slot);
      if (!file) return [];
      located.delete(a.slot);
      await put(root, file, undefined);
      return [file];
    }
    case 'move-release': {
      const from = located.get(a.slot);
      if (!from) return [];
      const to = from.includes('/2019/') ? `content/news/r${a.slot}.md` : `content/news/2019/r${a.slot}-moved.md`;
      await mkdir(path.dirname(path.join(root, to)), { recursive: true });
      await rename(path.join(root, from), path.join(root, to));
      located.set(a.slot, to);
      return [from, to];
    }
    case 'page': {
      const file = PAGES[a.slot] ?? 'content/pages/contact.md';
      await put(
        root,
        file,
        a.present ? `---\ntitle: Page ${a.slot} v${a.title}\n---\n\nText ${a.title}.\n` : undefined,
      );
      return [file];
    }
    case 'partial': {
      const file = 'templates/partials/breadcrumbs.njk';
      const text = [world.templates.partial, `${world.templates.partial}<!-- v1 -->\n`, `${world.templates.partial}{{`];
      await put(root, file, text[a.variant]);
      return [file];
    }
    case 'layout': {
      const file = 'templates/base.njk';
      const layout = world.templates.layout;
      await put(root, file, a.variant === 0 ? layout : layout.replace('<body>', '<body class="v1">'));
      return [file];
    }
    case 'nav': {
      const file = 'content/_data/navigation.yaml';
      const texts = [
        NAV_YAML,
        'items:\n  - label: Newsroom\n    url: /news/\n',
        'items:\n  - label: News\n    url: /news/\n  - label: About us\n    url: /about/\n',
      ];
      await put(root, file, texts[a.variant]);
      return [file];
    }
    case 'site': {
      const file = 'content/_data/site.yaml';
      await put(root, file, a.variant === 0 ? BILINGUAL : BILINGUAL.replace('Test Newsroom', 'Other Newsroom'));
      return [file];
    }
    case 'asset': {
      const file = 'public/images/map.svg';
      const svg = (fill: string) => `<svg xmlns="http://www.w3.org/2000/svg"><rect fill="${fill}"/></svg>\n`;
      await put(root, file, [undefined, svg('red'), svg('blue')][a.variant]);
      return [file];
    }
    case 'css': {
      const file = 'public/css/site.css';
      await put(root, file, `body { color: ${a.variant === 0 ? 'black' : 'navy'}; }\n`);
      return [file];
    }
  }
}

async function newWorld(): Promise<World> {
  const files: Record<string, string> = { 'public/css/site.css': 'body { color: black; }\n' };
  for (let i = 0; i < BACKGROUND; i++) {
    files[`content/news/background/b${i}.md`] =
      `---\ntitle: Background ${i}\ndate: 2015-${String((i % 12) + 1).padStart(2, '0')}-0${(i % 9) + 1}\n---\n\nText ${i}.\n`;
  }
  const root = await makeSite({ ...files, 'content/_data/site.yaml': BILINGUAL });
  const { readFile } = await import('node:fs/promises');
  return {
    root,
    located: new Map(),
    fields: new Map(),
    templates: {
      partial: await readFile(path.join(root, 'templates/partials/breadcrumbs.njk'), 'utf8'),
      layout: await readFile(path.join(root, 'templates/base.njk'), 'utf8'),
    },
  };
}

const runs = Number(process.env.NEWSROOM_FUZZ_RUNS ?? 20);
/** Sequences of 20 to 40 edits in `npm run fuzz` (thousands of steps in all); of 1 to 8 in `npm test`. */
const lengths = process.env.NEWSROOM_FUZZ_RUNS
  ? { minLength: 20, maxLength: 40, size: 'max' as const }
  : { minLength: 1, maxLength: 8 };
const outputs: string[] = [];
/** Steps checked (one compile and dev update compared with a clean build each), printed at the end. */
let steps = 0;
afterAll(async () => {
  console.log(`incremental property: ${runs} sequences, ${steps} steps`);
  await Promise.all(outputs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('incremental dev builds', () => {
  it(`equal a clean build after every step of ${runs} random edit sequences`, async () => {
    await fc.assert(
      // `reported`: whether the watcher's list of changed files is passed on; without it, changes are found by stat.
      fc.asyncProperty(fc.array(action, lengths), fc.boolean(), fc.boolean(), async (actions, drafts, reported) => {
        const world = await newWorld();
        const options = { root: world.root, includeDrafts: drafts, now: NOW };
        const cache = new BuildCache();
        const dev = await DevOutput.create();
        outputs.push(dev.dir);
        const clean = path.join(await tempDir(), 'dist');
        let lastGood: Map<string, string> | undefined;
        let listing: Listing | undefined;
        try {
          const step = async (touched: string[]) => {
            steps++;
            const changed = reported ? touched : [];
            // As the dev server does when the watcher saw only content changes: reuse the last walk.
            const known = new Set(listing ? [...listing.news, ...listing.pages].map((f) => f.relative) : []);
            for (const a of listing?.assets ?? []) known.add(`public/${a.outputPath}`);
            const structural = touched.some((file) => existsSync(path.join(world.root, file)) !== known.has(file));
            const hints = { changed: new Set(changed), listing: reported && !structural ? listing : undefined };
            const compiled = await compileSite(options, cache, hints);
            listing = compiled.listing;
            const applied = await dev.apply(compiled, new Set(changed));
            const fresh = await build({ ...options, out: clean, write: true, search: false, deploy: false });
            expect(applied.change !== undefined).toBe(fresh.written);
            if (fresh.written) lastGood = await readTree(clean);
            if (lastGood) expect(await readDevTree(dev.dir)).toEqual(lastGood);
          };
          await step([]);
          for (const a of actions) await step(await apply(world, a));
        } finally {
          await dev.dispose();
        }
      }),
      fuzzParameters(20),
    );
  }, 7_200_000);
});

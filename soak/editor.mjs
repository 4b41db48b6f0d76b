// The editor the soak test plays: a seeded sequence of edits over a generated site, as a newsroom makes them (body
// and title edits, new releases, deletes, renames, a broken front matter fixed a few saves later, now and then a
// template or the stylesheet). The same seed gives the same edits; only their timing against the builds varies.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { prng } from '../bench/generate-site.mjs';

/** Edit kinds and their weights per 1,000 edits (fixes of broken files come on top, one per break). */
const WEIGHTS = {
  body: 622,
  title: 130,
  pinned: 30,
  create: 55,
  delete: 55,
  rename: 60,
  break: 40,
  css: 6,
  template: 2,
};

/** Templates edited now and then: the release layout, the card every listing uses, the navigation on every page. */
const TEMPLATES = ['templates/release.njk', 'templates/partials/release-card.njk', 'templates/partials/nav.njk'];
const CSS = 'public/css/site.css';

/** Ways editors break front matter: each is an error the build reports with the file and line. */
const BREAKS = [
  (front) => front.map((line) => (line.startsWith('date: ') ? 'date: 2024-02-30' : line)),
  (front) => front.map((line) => (line.startsWith('title: ') ? `${line} "unclosed: [` : line)),
  (front) => front.filter((line) => !line.startsWith('title: ')),
  (front) => [...front.slice(0, 2), '  bad indentation: here', ...front.slice(2)],
];

const slugOf = (file) => path.basename(file, '.md');
const yamlText = (text) => JSON.stringify(text);

/** Splits a release file into its front-matter lines and its body. */
function split(text) {
  const end = text.indexOf('\n---\n', 4);
  return { front: text.slice(4, end).split('\n'), body: text.slice(end + 5) };
}

/** A release's file text. */
function join(front, body) {
  return `---\n${front.join('\n')}\n---\n${body}`;
}

/**
 * Plays the edits against the files under `root`. `pinned` (the page the browser shows) is edited but never moved
 * or deleted; `stable` releases (the pages the concurrent requests ask for) likewise.
 */
export class Editor {
  /**
   * @param {string} root
   * @param {string[]} files root-relative release files
   * @param {{ seed: number, pinned: string, stable: number, edits: number }} options
   */
  constructor(root, files, { seed, pinned, stable, edits }) {
    this.root = root;
    this.random = prng(seed);
    this.edits = edits;
    /** root-relative file -> { front: its front-matter lines, title, body } as last saved unbroken */
    this.releases = new Map();
    this.files = [...files];
    this.pinned = pinned;
    this.stable = new Set([pinned]);
    while (this.stable.size < Math.min(stable + 1, files.length)) this.stable.add(this.pick(files));
    /** URLs that must answer 404 at the end (deleted or renamed-away releases). */
    this.gone = new Set();
    /** Broken files and the edit number by which each is fixed. */
    this.broken = new Map();
    this.templates = new Map();
    this.counts = Object.fromEntries([...Object.keys(WEIGHTS), 'fix'].map((kind) => [kind, 0]));
    this.saves = { inPlace: 0, atomic: 0 };
    this.finalTitle = undefined;
  }

  pick(list) {
    return list[Math.floor(this.random() * list.length)];
  }

  int(min, max) {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** Reads the files the edits start from. */
  async load() {
    for (const file of this.files) {
      const release = split(await readFile(path.join(this.root, file), 'utf8'));
      const title = release.front.find((line) => line.startsWith('title: ')).slice('title: '.length);
      this.releases.set(file, { ...release, title });
    }
    for (const file of [...TEMPLATES, CSS])
      this.templates.set(file, await readFile(path.join(this.root, file), 'utf8'));
  }

  /** A release that may be deleted, renamed or broken: not the browser's, not a stable one, not broken already. */
  movable() {
    for (let tries = 0; tries < 50; tries++) {
      const file = this.pick(this.files);
      if (!this.stable.has(file) && !this.broken.has(file)) return file;
    }
    return undefined;
  }

  /** Any release that is not broken (editing a broken one is left to its fix). */
  editable() {
    for (let tries = 0; tries < 50; tries++) {
      const file = this.pick(this.files);
      if (!this.broken.has(file)) return file;
    }
    return this.pinned;
  }

  /** Saves a file, as editors do: mostly in place (truncate, write), one in five through a temporary file and a rename. */
  async save(file, text) {
    const full = path.join(this.root, file);
    await mkdir(path.dirname(full), { recursive: true });
    if (this.random() < 0.2) {
      const temporary = path.join(path.dirname(full), `.${path.basename(full)}.soak-${this.int(0, 1e9)}.tmp`);
      await writeFile(temporary, text);
      await rename(temporary, full);
      this.saves.atomic++;
    } else {
      await writeFile(full, text);
      this.saves.inPlace++;
    }
  }

  async saveRelease(file) {
    const release = this.releases.get(file);
    await this.save(file, join(release.front, release.body));
  }

  setTitle(file, title) {
    const release = this.releases.get(file);
    release.title = title;
    release.front = release.front.map((line) => (line.startsWith('title: ') ? `title: ${yamlText(title)}` : line));
  }

  /** Rewrites the first paragraph's opening, so the page and the full-text feeds change but the body keeps its size. */
  editBody(file, n) {
    const release = this.releases.get(file);
    release.body = release.body.replace(/^\n?(?:Soak edit \d+: )?/, `\nSoak edit ${n}: `);
  }

  /** Makes edit number `n` (0-based); returns its kind and the file it touched. */
  async step(n) {
    const last = n === this.edits - 1;
    // Every broken file is fixed before the end: when few edits are left, they go to the fixes.
    const due = [...this.broken].find(([, by]) => by <= n || this.edits - 1 - n <= this.broken.size);
    if (due && !last) return this.fix(due[0]);
    if (last) {
      this.finalTitle = `Soak final edit ${n + 1}: the browser must show this title`;
      this.setTitle(this.pinned, this.finalTitle);
      await this.saveRelease(this.pinned);
      this.counts.pinned++;
      return { kind: 'pinned', file: this.pinned };
    }
    let roll = this.random() * 1000;
    let kind = 'body';
    for (const [name, weight] of Object.entries(WEIGHTS)) {
      if (roll < weight) {
        kind = name;
        break;
      }
      roll -= weight;
    }
    const done = await this.make(kind, n);
    if (!done) return this.make('body', n);
    return done;
  }

  async make(kind, n) {
    switch (kind) {
      case 'body':
      case 'title':
      case 'pinned': {
        const file = kind === 'pinned' ? this.pinned : this.editable();
        if (kind === 'title' || (kind === 'pinned' && this.random() < 0.5)) {
          const title = this.releases.get(file).title.replace(/ \(revision \d+\)$/, '');
          this.setTitle(file, `${title} (revision ${n})`);
        } else this.editBody(file, n);
        await this.saveRelease(file);
        this.counts[kind]++;
        return { kind, file };
      }
      case 'create': {
        const model = this.releases.get(this.pick(this.files));
        const file = `content/news/soak/soak-release-${n}.md`;
        const title = `Soak Release ${n} on Shelter and Health Services`;
        const front = model.front.map((line) =>
          line.startsWith('title: ')
            ? `title: ${yamlText(title)}`
            : line.startsWith('date: ')
              ? `date: 20${this.int(10, 25)}-0${this.int(1, 9)}-1${this.int(0, 9)}`
              : line,
        );
        this.releases.set(file, { front, title, body: `\nSoak edit ${n}: a new release.\n${model.body}` });
        this.files.push(file);
        await this.saveRelease(file);
        this.gone.delete(`/news/${slugOf(file)}/`);
        this.counts.create++;
        return { kind, file };
      }
      case 'delete': {
        const file = this.movable();
        if (!file) return undefined;
        await rm(path.join(this.root, file));
        this.releases.delete(file);
        this.files.splice(this.files.indexOf(file), 1);
        this.gone.add(`/news/${slugOf(file)}/`);
        this.counts.delete++;
        return { kind, file };
      }
      case 'rename': {
        const file = this.movable();
        if (!file) return undefined;
        const to = `${path.dirname(file)}/${slugOf(file).replace(/-r\d+$/, '')}-r${n}.md`;
        await rename(path.join(this.root, file), path.join(this.root, to));
        this.releases.set(to, this.releases.get(file));
        this.releases.delete(file);
        this.files[this.files.indexOf(file)] = to;
        this.gone.add(`/news/${slugOf(file)}/`);
        this.counts.rename++;
        return { kind, file: to };
      }
      case 'break': {
        const file = this.movable();
        if (!file) return undefined;
        const release = this.releases.get(file);
        const breakIt = this.pick(BREAKS);
        await this.save(file, join(breakIt(release.front), release.body));
        this.broken.set(file, n + this.int(2, 20));
        this.counts.break++;
        return { kind, file };
      }
      case 'css':
      case 'template': {
        const file = kind === 'css' ? CSS : this.pick(TEMPLATES);
        const original = this.templates.get(file);
        const comment = kind === 'css' ? `/* soak edit ${n} */\n` : `{# soak edit ${n} #}<!-- soak edit ${n} -->\n`;
        await this.save(file, this.random() < 0.3 ? original : `${original}${comment}`);
        this.counts[kind]++;
        return { kind, file };
      }
      default:
        throw new Error(`unknown edit kind ${kind}`);
    }
  }

  async fix(file) {
    this.broken.delete(file);
    await this.saveRelease(file);
    this.counts.fix++;
    return { kind: 'fix', file };
  }

  /** URLs of releases that are never deleted or moved (the pinned one first). */
  stableUrls() {
    return [...this.stable].map((file) => `/news/${slugOf(file)}/`);
  }
}

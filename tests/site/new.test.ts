import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { releaseSchema } from '../../src/content/schema.js';
import { cli, makeSite, page, REPO, release, SITE_YAML, tempDir } from '../helpers/site.js';

/** The front matter block of a Markdown file. */
function frontMatter(text: string): string {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!match?.[1]) throw new Error(`no front matter in:\n${text}`);
  return match[1];
}

/** The file with every commented-out front-matter line (`# key: ...`, `#   - item`) made live. */
function uncommented(text: string): string {
  const block = frontMatter(text);
  return text.replace(block, block.replace(/^# ?/gm, ''));
}

/** The parsed front matter, comments ignored as YAML ignores them. */
const fields = (text: string): Record<string, unknown> => parseYaml(frontMatter(text)) as Record<string, unknown>;

/** Every field path of a zod schema (`image.src`, `contacts.email` ...), read from the schema itself. */
function schemaFields(schema: z.ZodType, prefix = ''): string[] {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  if (inner instanceof z.ZodArray) inner = inner.element as z.ZodType;
  if (!(inner instanceof z.ZodObject)) return [];
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, value]) => [
    `${prefix}${key}`,
    ...schemaFields(value, `${prefix}${key}.`),
  ]);
}

/** Whether `data` has a value at `fieldPath`, looking into the first item of lists. */
function has(data: unknown, fieldPath: string): boolean {
  let value: unknown = data;
  for (const key of fieldPath.split('.')) {
    if (Array.isArray(value)) value = value[0];
    if (typeof value !== 'object' || value === null || !(key in value)) return false;
    value = (value as Record<string, unknown>)[key];
  }
  return value !== undefined && value !== null;
}

/** Today where the process runs, YYYY-MM-DD (read before and after a run, in case midnight passes). */
function localDay(timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(),
  );
}

const newsFiles = async (root: string): Promise<string[]> =>
  (await readdir(path.join(root, 'content/news'), { recursive: true }).catch(() => [] as string[])).sort();

const TITLE = 'IOM Opens Office in Brasília & São Paulo';
const SLUG = 'iom-opens-office-in-brasilia-and-sao-paulo';
const FILE = `content/news/${SLUG}.md`;

describe('newsroom new', () => {
  it('creates content/news/<slug>.md with every release field, today as its date, and says where', async () => {
    const root = await makeSite({});
    const before = localDay();
    const run = await cli('new', TITLE, '--root', root);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(await newsFiles(root)).toEqual([`${SLUG}.md`]);
    expect(run.stdout).toContain(FILE);
    expect(run.stdout).toContain(`/news/${SLUG}/`);

    const text = await readFile(path.join(root, FILE), 'utf8');
    const data = fields(text);
    expect(data.title).toBe(TITLE);
    expect([before, localDay()]).toContain(data.date);
    expect(data.draft).toBe(true);

    // Every field of the schema is there, as a key or a commented line (slug alone may be left out).
    const wanted = schemaFields(releaseSchema).filter((f) => f !== 'slug');
    expect(wanted).toEqual(expect.arrayContaining(['title', 'contacts.phone', 'image.credit', 'embargo']));
    const live = parseYaml(frontMatter(uncommented(text))) as unknown;
    expect(wanted.filter((f) => !has(live, f))).toEqual([]);
  });

  it('writes a file that passes check --drafts as it is and with every optional field uncommented', async () => {
    const root = await makeSite({ 'content/news/2012/older.md': release({ title: 'An Older Release' }) });
    const pagesBefore = (await cli('check', '--root', root, '--drafts')).stdout;
    expect((await cli('new', TITLE, '--root', root)).code).toBe(0);

    const created = await cli('check', '--root', root, '--drafts');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).not.toBe(pagesBefore);

    const text = uncommented(await readFile(path.join(root, FILE), 'utf8'));
    await writeFile(path.join(root, FILE), text);
    const image = (parseYaml(frontMatter(text)) as { image: { src: string } }).image.src;
    expect(image).toMatch(/^\/\w/);
    await mkdir(path.dirname(path.join(root, 'public', image)), { recursive: true });
    await writeFile(path.join(root, 'public', image), 'not really a photo');
    const full = await cli('check', '--root', root, '--drafts');
    expect(full.stderr).toBe('');
    expect(full.code).toBe(0);

    // The uncommented fields are read as the fields they claim to be.
    const out = path.join(root, 'preview');
    expect((await cli('build', '--root', root, '--drafts', '--out', out)).code).toBe(0);
    const $ = await page(root, `news/${SLUG}/index.html`, out);
    expect($('h1').first().text()).toBe(TITLE);
    // Referenced, so published under its content-hash name.
    expect($('.release__image img').attr('src')).toMatch(
      new RegExp(`^${image.replace(/\.jpg$/, '').replaceAll('/', '\\/')}\\.[0-9a-f]{8}\\.jpg$`),
    );
    expect($('.contact__name').length).toBeGreaterThan(0);
  });

  it('fills --date, --lang and --location, and the file still checks', async () => {
    const root = await makeSite({ 'content/_data/site.yaml': `${SITE_YAML}languages: [en, fr]\n` });
    const run = await cli(
      'new',
      'Returns to Port-au-Prince',
      '--root',
      root,
      '--date',
      '2025-12-31',
      '--lang',
      'fr',
      '--location',
      'Port-au-Prince',
    );
    expect(run.code).toBe(0);
    const data = fields(await readFile(path.join(root, 'content/news/returns-to-port-au-prince.md'), 'utf8'));
    expect(data).toMatchObject({ date: '2025-12-31', lang: 'fr', location: 'Port-au-Prince' });
    expect((await cli('check', '--root', root, '--drafts')).code).toBe(0);
  });

  it('writes titles and locations with YAML-special characters as plain text', async () => {
    const root = await makeSite({});
    const title = `Cox's Bazar: "Camp #4" - 100% Reached`;
    const location = `Cox's Bazar: Camp #4 "Kutupalong"`;
    expect((await cli('new', title, '--root', root, '--location', location)).code).toBe(0);
    const data = fields(await readFile(path.join(root, 'content/news/coxs-bazar-camp-4-100-reached.md'), 'utf8'));
    expect(data).toMatchObject({ title, location });
  });

  it('writes --location exactly as given, even with $ in it', async () => {
    const root = await makeSite({});
    const location = 'Ciudad $& Juárez $1';
    expect((await cli('new', 'A Release', '--root', root, '--location', location)).code).toBe(0);
    expect(fields(await readFile(path.join(root, 'content/news/a-release.md'), 'utf8')).location).toBe(location);
  });

  it.each([
    ['Floods in Đà Nẵng', 'floods-in-da-nang'],
    ['IOM Opens Office in Łódź', 'iom-opens-office-in-lodz'],
    ['Arctic Migration Forum in Tromsø', 'arctic-migration-forum-in-tromso'],
    ['Émigrés Return to Zürich & Genève', 'emigres-return-to-zurich-and-geneve'],
  ])('folds the letters of %j into the slug %s', async (title, slug) => {
    const root = await makeSite({});
    expect((await cli('new', title, '--root', root)).code).toBe(0);
    expect(await newsFiles(root)).toEqual([`${slug}.md`]);
  });

  it('refuses to overwrite an existing file, leaving it byte for byte', async () => {
    const root = await makeSite({});
    expect((await cli('new', TITLE, '--root', root)).code).toBe(0);
    const edited = `${await readFile(path.join(root, FILE), 'utf8')}\nAn editor's work, not to be lost.\n`;
    await writeFile(path.join(root, FILE), edited);
    const again = await cli('new', TITLE, '--root', root, '--date', '2020-01-01');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(FILE);
    expect(await readFile(path.join(root, FILE), 'utf8')).toBe(edited);
  });

  it('refuses to write through a file the site does not read (a symlink out of the site)', async () => {
    const root = await makeSite({});
    const outside = path.join(await tempDir(), 'outside.md');
    await writeFile(outside, 'Not part of the site.\n');
    await mkdir(path.join(root, 'content/news'), { recursive: true });
    await symlink(outside, path.join(root, FILE));
    const run = await cli('new', TITLE, '--root', root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(FILE);
    expect(await readFile(outside, 'utf8')).toBe('Not part of the site.\n');
  });

  it('refuses a slug that a release in a year folder already has', async () => {
    const older = release({ title: 'IOM Opens Office' });
    const root = await makeSite({ 'content/news/2012/iom-opens-office.md': older });
    const run = await cli('new', 'IOM Opens Office', '--root', root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('content/news/2012/iom-opens-office.md');
    expect(await newsFiles(root)).toEqual(['2012', '2012/iom-opens-office.md']);
    expect(await readFile(path.join(root, 'content/news/2012/iom-opens-office.md'), 'utf8')).toBe(older);
  });

  it.each([
    'slug: iom-opens-office',
    'slug: "iom-opens-office"',
    "slug: 'iom-opens-office'",
    'slug: iom-opens-office   # kept from the old site',
  ])('refuses a slug that another release sets with `%s`', async (line) => {
    const other = release({ title: 'Another Title' }).replace('---\n', `---\n${line}\n`);
    const root = await makeSite({ 'content/news/2013/old-name.md': other });
    // The other release really is at /news/iom-opens-office/.
    expect((await cli('build', '--root', root)).code).toBe(0);
    expect(existsSync(path.join(root, 'dist/news/iom-opens-office/index.html'))).toBe(true);
    const run = await cli('new', 'IOM Opens Office', '--root', root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('content/news/2013/old-name.md');
    expect(await newsFiles(root)).toEqual(['2013', '2013/old-name.md']);
  });

  it.each([
    [['new', TITLE, '--date', '2026-02-30'], /--date must be a real date/],
    [['new', TITLE, '--date', '26-02-03'], /--date must be a real date/],
    [['new', TITLE, '--lang', 'fr fr'], /--lang must be a language code/],
    [['new', TITLE, '--location', ' '], /--location must not be empty/],
    [['new', TITLE, '--slug', 'Not A Slug'], /--slug may contain only/],
    [['new', '北京'], /--slug/],
    [['new', '   '], /title must not be empty/],
    [['new'], /needs a title/],
    [['new', TITLE, 'extra'], /unexpected argument: extra/],
  ])('exits 2 on %j, touching nothing', async (argv, message) => {
    const root = await makeSite({});
    const run = await cli(...argv, '--root', root);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(path.join(root, 'content/news'))).toBe(false);
  });

  it('takes --slug for a title that makes none', async () => {
    const root = await makeSite({});
    const title = '国际移民组织在北京举办研讨会';
    const run = await cli('new', title, '--root', root, '--slug', 'iom-beijing-workshop');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('content/news/iom-beijing-workshop.md');
    expect(run.stdout).toContain('/news/iom-beijing-workshop/');
    expect(fields(await readFile(path.join(root, 'content/news/iom-beijing-workshop.md'), 'utf8')).title).toBe(title);
    expect((await cli('check', '--root', root, '--drafts')).code).toBe(0);
  });

  it("runs from the real bin, dating the release by the editor's own calendar", async () => {
    const root = await makeSite({});
    // A zone whose date differs from UTC's right now, so a UTC date would be caught: Kiritimati (UTC+14) is a day
    // ahead from 10:00 UTC, Pago Pago (UTC-11) a day behind until 11:00 UTC.
    const timeZone = new Date().getUTCHours() >= 10 ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';
    expect(localDay(timeZone)).not.toBe(localDay('UTC'));
    const before = localDay(timeZone);
    const { stdout } = await promisify(execFile)('node', [path.join(REPO, 'bin/newsroom.js'), 'new', TITLE], {
      cwd: root,
      env: { ...process.env, TZ: timeZone },
    });
    expect(stdout).toContain(FILE);
    expect(stdout).toContain(`/news/${SLUG}/`);
    const data = fields(await readFile(path.join(root, FILE), 'utf8'));
    expect([before, localDay(timeZone)]).toContain(data.date);
  });
});

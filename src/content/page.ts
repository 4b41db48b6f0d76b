import { type Diagnostic, error, START } from '../diagnostics.js';
import { renderBody } from '../markdown/render-body.js';
import type { SourceFile } from './discover.js';
import type { LoadContext } from './release.js';
import { pageSchema, SLUG } from './schema.js';
import { readFrontMatter } from './validate.js';

/** A section page (Who we are, Our Work ...) after loading. */
export interface Page {
  readonly kind: 'page';
  readonly source: string;
  /** `/who-we-are/` for `content/pages/who-we-are/index.md`, `/our-work/partnerships/` for `.../partnerships.md`. */
  readonly url: string;
  readonly title: string;
  readonly summary: string | undefined;
  readonly lang: string;
  readonly draft: boolean;
  readonly html: string;
  /** Links this page's versions in other languages: the same key on each. */
  readonly translationKey: string | undefined;
  /** The line of `translationKey`, for reports. */
  readonly translationKeyLine: number;
}

/** The URL of a page file, or undefined when a path segment is not a valid slug. */
export function pageUrl(sourcePath: string): string | undefined {
  const inside = sourcePath.replace(/^content\/pages\//, '').replace(/\.md$/, '');
  const segments = inside.split('/');
  if (segments[segments.length - 1] === 'index') segments.pop();
  if (!segments.every((s) => SLUG.test(s))) return undefined;
  return segments.length === 0 ? '/' : `/${segments.join('/')}/`;
}

/** Loads one section page. Independent of every other file. */
export function loadPage(
  source: SourceFile,
  context: LoadContext,
): { page: Page | undefined; diagnostics: Diagnostic[] } {
  const { split, meta, diagnostics } = readFrontMatter(source, pageSchema, context.limits);
  if (!split || !meta) return { page: undefined, diagnostics };
  const url = pageUrl(source.path);
  if (url === undefined) {
    diagnostics.push(
      error(
        source.path,
        START,
        'page/path',
        'page paths may contain only lowercase letters, digits and hyphens: rename the file or folder',
      ),
    );
    return { page: undefined, diagnostics };
  }
  // A page's URL is its path, so a page in another language lives in that language's folder: content/pages/fr/...
  const folder = url.split('/')[1] ?? '';
  const folderLang = folder !== context.defaultLanguage && context.languages.includes(folder) ? folder : undefined;
  const lang = meta.lang ?? folderLang ?? context.defaultLanguage;
  if (lang !== (folderLang ?? context.defaultLanguage)) {
    const where = context.languages.includes(lang)
      ? lang === context.defaultLanguage
        ? 'outside the language folders'
        : `in content/pages/${lang}/`
      : undefined;
    diagnostics.push(
      error(
        source.path,
        split.data.locate(['lang']),
        'front-matter/lang',
        where
          ? `this page is in ${folderLang ? `the ${folderLang} folder` : 'the default language folder'} but says lang ${lang}: move it ${where} or fix lang`
          : `lang ${lang} is not one of the site's languages (${context.languages.join(', ')}): fix it or add it to languages in site.yaml`,
      ),
    );
    return { page: undefined, diagnostics };
  }
  const rendered = renderBody(source.path, split.bodyLine, split.body, context.limits.nesting, () =>
    context.renderMarkdown(split.body, { lang, languages: context.languages }),
  );
  diagnostics.push(...rendered.diagnostics);
  if (rendered.html === undefined) return { page: undefined, diagnostics };
  return {
    page: {
      kind: 'page',
      source: source.path,
      url,
      title: meta.title,
      summary: meta.summary,
      lang,
      draft: meta.draft ?? false,
      html: rendered.html,
      translationKey: meta.translationKey,
      translationKeyLine: split.data.locate(['translationKey']).line,
    },
    diagnostics,
  };
}

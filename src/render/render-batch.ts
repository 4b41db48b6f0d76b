import type nunjucks from 'nunjucks';
import { DiskCache } from '../cache/disk-cache.js';
import type { SourceFile } from '../content/discover.js';
import type { LoadResult } from '../content/load-source.js';
import type { Release } from '../content/release.js';
import type { SiteConfig } from '../content/site-data.js';
import { loadTranslations, Translations } from '../content/translations.js';
import { siteLinks } from '../site/links.js';
import type { LocalNavEntry } from '../site/navigation.js';
import type { Route } from '../site/routes.js';
import { createEnvironment } from './environment.js';
import { type RenderContext, type RenderedRoute, renderRoute } from './render-route.js';

/** A {@link RenderContext} as plain data, for a worker thread: it makes the context again from it. */
export interface RenderSettings {
  readonly templatesDir: string;
  readonly root: string;
  readonly site: SiteConfig;
  readonly translations: SourceFile | undefined;
  readonly languages: readonly string[];
  readonly navigation: readonly (readonly [string, readonly LocalNavEntry[]])[];
  readonly preview: boolean;
  readonly basePath: string;
  readonly assetNames: readonly (readonly [string, string])[];
  /** The persistent cache that holds the bodies of releases loaded with `htmlKey`. */
  readonly cacheDir: string | undefined;
}

/** Routes to render on a worker thread. */
export interface RenderJob {
  readonly type: 'render';
  /** Changes whenever `settings` or a template does: the thread then makes its environment again. */
  readonly key: string;
  readonly settings: RenderSettings;
  readonly routes: readonly Route[];
}

let made: { key: string; env: nunjucks.Environment; context: RenderContext } | undefined;

/** The Nunjucks environment and render context of `job`, made once per key on this thread. */
function prepare(job: RenderJob): { env: nunjucks.Environment; context: RenderContext } {
  if (made?.key === job.key) return made;
  const { settings } = job;
  const translations =
    loadTranslations(settings.translations, settings.languages).translations ??
    Translations.fallback(settings.languages);
  made = {
    key: job.key,
    env: createEnvironment(settings.templatesDir),
    context: {
      site: settings.site,
      translations,
      navigation: new Map(settings.navigation),
      root: settings.root,
      preview: settings.preview,
      links: siteLinks(settings.site.baseUrl, settings.basePath, new Map(settings.assetNames)),
    },
  };
  return made;
}

/** Starts the message of the error a missing or damaged body gives (it crosses threads as a plain Error). */
export const BODY_GONE = 'the cache entry of a release body is gone or damaged:';

/** Whether `cause` is the error of a body missing from the cache (see {@link withBody}). */
export function isBodyGone(cause: unknown): boolean {
  return cause instanceof Error && cause.message.startsWith(BODY_GONE);
}

/**
 * A release whole, with its body: read from the persistent cache when the build kept only what routing needs
 * (`htmlKey`, see `slimRelease`); the entry is the release as it was loaded. A missing or damaged entry
 * is an error the build answers by loading again without its index; the damaged entry is left for that load to
 * find, count and make again.
 */
export function withBody(release: Release, cache: DiskCache | undefined): Release {
  if (release.htmlKey === undefined) return release;
  const stored = cache?.read('release', release.htmlKey, { keep: true }) as LoadResult | undefined;
  if (stored?.value?.kind !== 'release') {
    throw new Error(`${BODY_GONE} ${release.source} (delete the cache directory if this happens again)`);
  }
  return stored.value;
}

/** The route with the bodies it shows (a release page's, a feed's items'). */
export function withBodies(route: Route, cache: DiskCache | undefined): Route {
  if (route.kind === 'release') return { ...route, release: withBody(route.release, cache) };
  if (route.kind === 'feed') return { ...route, items: route.items.map((r) => withBody(r, cache)) };
  return route;
}

/**
 * A batch rendered on a worker thread: each route's result with the length of its text, and the texts one after
 * another as UTF-8 in one buffer, which is moved to the main thread rather than copied. Texts copied back would be
 * made in the old generation of the main thread's heap (V8 allocates everything of a message over 100 KB there),
 * where each build's pages would pile up until a full collection; a moved buffer is freed with its last view.
 */
export interface RenderedBatch {
  readonly routes: readonly (Omit<RenderedRoute, 'html'> & { readonly bytes: number | undefined })[];
  readonly html: Uint8Array;
}

/** Renders each route of the batch, in order. */
export function renderBatch(job: RenderJob): RenderedBatch {
  const { env, context } = prepare(job);
  const cache = job.settings.cacheDir === undefined ? undefined : new DiskCache(job.settings.cacheDir);
  const rendered = job.routes.map((route) => renderRoute(env, withBodies(route, cache), context));
  const sizes = rendered.map(({ html }) => (html === undefined ? undefined : Buffer.byteLength(html)));
  // Not from Buffer's shared pool: the whole buffer is moved to the other thread.
  const html = Buffer.allocUnsafeSlow(sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0));
  let offset = 0;
  rendered.forEach((route) => {
    if (route.html !== undefined) offset += html.write(route.html, offset);
  });
  return {
    routes: rendered.map(({ diagnostic, assets }, i) => ({ diagnostic, assets, bytes: sizes[i] })),
    html,
  };
}

/** The results of a batch in order, each page's text a view of the batch's buffer. */
export function unpackBatch(batch: RenderedBatch): RenderedRoute<Uint8Array>[] {
  let offset = 0;
  return batch.routes.map(({ diagnostic, assets, bytes }) => {
    const html = bytes === undefined ? undefined : batch.html.subarray(offset, offset + bytes);
    offset += bytes ?? 0;
    return { html, diagnostic, assets };
  });
}

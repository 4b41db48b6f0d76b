import { Feed } from 'feed';
import type { Element } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { timestampOf } from '../content/release.js';
import type { SiteConfig } from '../content/site-data.js';
import type { Translations } from '../content/translations.js';
import { recordingLinks, type SiteLinks } from '../site/links.js';
import type { FeedRoute } from '../site/routes.js';
import { absoluteHtml } from './absolute-html.js';

/** The date-time of a YYYY-MM-DD (midnight UTC) or ISO date-time. */
const dateOf = (value: string): Date => new Date(timestampOf(value));

/**
 * Renders a feed of releases as RSS 2.0, Atom 1.0 or JSON Feed 1.1 with the `feed` library: absolute URLs, full
 * HTML content, published and updated dates. The feed's own date is its newest item's, so output is reproducible.
 */
export function renderFeed(
  route: FeedRoute,
  site: SiteConfig,
  translations: Translations,
  links: SiteLinks,
): { text: string; assets: string[] } {
  const recorder = recordingLinks(links);
  const url = recorder.absolute;
  const organisation = translations.t(route.lang, 'organisationName');
  const newest = route.items.reduce((max, r) => Math.max(max, r.updatedTimestamp), 0);
  const image = site.image ? url(site.image) : undefined;
  const feed = new Feed({
    id: url(route.url),
    title: route.title,
    description: route.description ?? site.description,
    link: url(route.home),
    language: route.lang,
    updated: new Date(newest),
    generator: 'Newsroom',
    feedLinks: { rss: url(route.links.rss), atom: url(route.links.atom), json: url(route.links.json) },
    author: { name: organisation, ...(site.organisation.url ? { link: site.organisation.url } : {}) },
    copyright: `© ${organisation}`,
    ...(image ? { image } : {}),
  });
  // RSS and Atom carry titles and summaries as HTML (Atom says type="html"; RSS readers treat them so): text goes
  // in escaped, so a title like "Rights & <Wrongs>" is shown, never parsed. JSON Feed's are plain text.
  const asHtml = (text: string): string =>
    route.format === 'json' ? text : inCdata(toHtml({ type: 'text', value: text }));
  const content = (release: FeedRoute['items'][number]): string => {
    const absolute = absoluteHtml(release, release.html, links);
    for (const asset of absolute.assets) recorder.assets.add(asset);
    return absolute.html;
  };
  for (const release of route.items) {
    const link = url(release.url);
    feed.addItem({
      id: link,
      guid: link,
      title: asHtml(release.title),
      link,
      date: dateOf(release.updated),
      published: dateOf(release.date),
      ...(release.summary ? { description: asHtml(release.summary) } : {}),
      content:
        route.format === 'json'
          ? leadImage(release, url) + content(release)
          : inCdata(leadImage(release, url) + content(release)),
      author: [{ name: organisation, ...(site.organisation.url ? { link: site.organisation.url } : {}) }],
      category: release.themes.map((theme) => ({ name: translations.term(route.lang, 'themes', theme).label })),
      // The library guesses a MIME type from the extension (image/svg, image/jpg): give RSS the right one, JSON
      // Feed the URL; Atom has the image in the content.
      ...(release.image && route.format === 'rss'
        ? { enclosure: { url: url(release.image.src), type: imageType(release.image.src), length: 0 } }
        : {}),
      ...(release.image && route.format === 'json' ? { image: url(release.image.src) } : {}),
    });
  }
  const text =
    route.format === 'rss'
      ? xmlChars(feed.rss2())
      : route.format === 'atom'
        ? xmlChars(feed.atom1())
        : jsonFeed11(feed.json1(), route.lang);
  return { text, assets: [...recorder.assets] };
}

/**
 * HTML made safe for the CDATA section the feed library puts it in: the library escapes only the first `]]>` of a
 * section, so a second one (`]]> ]]>` in a title) would end it early, and the rest would be read as XML markup.
 * `>` may always be written `&gt;` in HTML, in text and in attribute values alike.
 */
function inCdata(html: string): string {
  return html.replaceAll(']]>', ']]&gt;');
}

/**
 * A feed without the characters XML 1.0 forbids everywhere, even escaped (NUL and the other C0 controls but tab
 * and line breaks; U+FFFE, U+FFFF): one pasted into a title would make the whole feed unreadable.
 */
function xmlChars(xml: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters to drop are control characters
  return xml.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

const IMAGE_TYPES: Record<string, string> = {
  avif: 'image/avif',
  gif: 'image/gif',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  png: 'image/png',
  svg: 'image/svg+xml',
  webp: 'image/webp',
};

/** The MIME type of an image by its extension. */
function imageType(src: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(src)?.[1]?.toLowerCase() ?? '';
  return IMAGE_TYPES[extension] ?? 'application/octet-stream';
}

/** The release's image as the start of its feed content, with its alt text and caption. */
function leadImage(release: FeedRoute['items'][number], url: (path: string) => string): string {
  const image = release.image;
  if (!image) return '';
  const caption = [image.caption, image.credit && `© ${image.credit}`].filter(Boolean).join(' ');
  const figure: Element = {
    type: 'element',
    tagName: 'figure',
    properties: {},
    children: [
      { type: 'element', tagName: 'img', properties: { src: url(image.src), alt: image.alt }, children: [] },
      ...(caption
        ? [
            {
              type: 'element' as const,
              tagName: 'figcaption',
              properties: {},
              children: [{ type: 'text' as const, value: caption }],
            },
          ]
        : []),
    ],
  };
  return toHtml(figure);
}

/**
 * Upgrades the library's JSON Feed 1.0 to 1.1 (https://www.jsonfeed.org/version/1.1/): the version URL, the
 * feed's `language`, and `authors` arrays in place of the deprecated `author` objects.
 */
function jsonFeed11(json: string, lang: string): string {
  const data = JSON.parse(json) as Record<string, unknown> & { items: Record<string, unknown>[] };
  const upgrade = (object: Record<string, unknown>) => {
    if (object.author) {
      object.authors = [object.author];
      delete object.author;
    }
  };
  upgrade(data);
  for (const item of data.items) upgrade(item);
  const { version: _old, title, ...rest } = data;
  return `${JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title, language: lang, ...rest }, null, 2)}\n`;
}

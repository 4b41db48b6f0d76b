import slugifyText from '@sindresorhus/slugify';

const MAX_SLUG = 80;
/** Zürich -> zurich, as in most URLs, rather than the German-only zuerich the transliteration defaults to. */
const UMLAUTS: [string, string][] = [...'äöüÄÖÜ'].map((c) => [c, c.normalize('NFD').charAt(0)]);

/** A URL slug from a title: `IOM Opens Office in Đà Nẵng` -> `iom-opens-office-in-da-nang`, at most 80 characters. */
export function slugify(title: string): string {
  const words = slugifyText(title, { customReplacements: UMLAUTS }).split('-').filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > MAX_SLUG) break;
    slug = next;
  }
  return slug || (words[0] ?? '').slice(0, MAX_SLUG);
}

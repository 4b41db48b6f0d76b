/** The output file for a site URL: `/news/x/` -> `news/x/index.html`, `/404.html` -> `404.html`. */
export function outputPathFor(url: string): string {
  if (!url.startsWith('/') || url.includes('..') || url.includes('\\') || url.includes('//')) {
    throw new Error(`unsafe URL reached the router: ${url}`);
  }
  const inside = url.slice(1);
  return inside === '' || inside.endsWith('/') ? `${inside}index.html` : inside;
}

/** The absolute form of a site-relative URL (`/news/x/` -> `https://example.org/news/x/`); other URLs unchanged. */
export function absoluteUrl(baseUrl: string, url: string): string {
  return url.startsWith('/') && !url.startsWith('//') ? `${baseUrl}${url}` : url;
}

// Eleventy's half of the side-by-side benchmark (bench/run.mjs): the same releases as a Newsroom site, with a
// release page of similar weight to templates/release.njk and a news index of 20 per page, newest first.
// Eleventy runs at its defaults otherwise: markdown-it (GFM tables and strikethrough), Liquid before Markdown.
//
// The runner lays out the project as <dir>/src (this folder's src/, the corpus's public/ and its releases in
// src/news/) and runs Eleventy in <dir> with --input src.

/** The benchmark's dates, written as Newsroom writes them (`longdate`): "26 August 2010". */
const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Configures filters and the passthrough copy of the site's CSS, scripts and images. */
export default function (eleventyConfig) {
  eleventyConfig.addPassthroughCopy({ 'src/public': '/' });
  eleventyConfig.addFilter('longdate', (date) => LONG_DATE.format(date));
  eleventyConfig.addFilter('isodate', (date) => date.toISOString().slice(0, 10));
}

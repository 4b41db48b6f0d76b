// Newsroom search page: queries the Pagefind index built by `newsroom build` (static files, no server), with
// filters by theme, region and year. The index is one Pagefind bundle per year (pagefind/<year>/, listed in
// pagefind/shards.json): the newest one with this page's language is loaded and the others are merged into it. Results are written as plain DOM text: nothing from the index is parsed as
// HTML except Pagefind's excerpt, whose only markup is <mark>, rebuilt here from text.
const form = document.querySelector('form.search');
const status = document.querySelector('.search__status');
const results = document.querySelector('.search__results');
const filters = form.querySelector('.search__filters');
const input = form.querySelector('input[name="q"]');
const text = form.dataset;

/** Appends Pagefind's excerpt (text with <mark> around matches) as text and <mark> elements. */
function appendExcerpt(parent, excerpt) {
  const parts = excerpt.split(/<mark>|<\/mark>/);
  parts.forEach((part, i) => {
    const decoded = new DOMParser().parseFromString(part, 'text/html').documentElement.textContent ?? '';
    if (i % 2 === 1) {
      const mark = document.createElement('mark');
      mark.textContent = decoded;
      parent.append(mark);
    } else parent.append(decoded);
  });
}

function render(items) {
  results.replaceChildren();
  status.textContent = items.length ? text.results.replace('{count}', String(items.length)) : text.none;
  for (const item of items) {
    const li = document.createElement('li');
    const h2 = document.createElement('h2');
    const a = document.createElement('a');
    a.href = item.url;
    a.textContent = item.meta.title ?? item.url;
    h2.append(a);
    li.append(h2);
    if (item.meta.date) {
      const date = document.createElement('p');
      date.className = 'card__meta';
      date.textContent = item.meta.date;
      li.append(date);
    }
    const p = document.createElement('p');
    appendExcerpt(p, item.excerpt);
    li.append(p);
    results.append(li);
  }
}

function fillFilters(available, params) {
  for (const select of filters.querySelectorAll('select[data-filter]')) {
    const values = Object.keys(available[select.dataset.filter] ?? {}).sort((a, b) =>
      select.dataset.filter === 'year' ? b.localeCompare(a) : a.localeCompare(b, document.documentElement.lang),
    );
    for (const value of values) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = value;
      select.append(option);
    }
    select.value = params.get(select.name) ?? '';
  }
  filters.hidden = false;
}

/** A search over no releases: for a language none of the shards has. */
const nothing = { filters: async () => ({}), search: async () => ({ results: [] }) };

/**
 * Loads the shards that have this page's language (as Pagefind matches it: `pt-br`, else `pt`), newest first:
 * Pagefind asked for a language an index lacks would search another language's releases instead.
 */
async function openIndex() {
  // The index sits at the site's root beside js/: found from this script's own URL, so the site works under
  // any base path (https://example.org/newsroom/), and result links get that path too.
  const root = new URL('../pagefind/', import.meta.url);
  // Revalidated every time, like Pagefind's own entry files: it names the bundles to load.
  const response = await fetch(new URL('shards.json', root), { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${response.status} ${response.url}`);
  const lang = document.documentElement.lang.toLowerCase();
  const bundles = (await response.json()).shards
    .filter((shard) => shard.languages.includes(lang) || shard.languages.includes(lang.split('-')[0]))
    .map((shard) => new URL(`${encodeURIComponent(shard.year)}/`, root));
  const [newest, ...older] = bundles;
  if (!newest) return nothing;
  const pagefind = await import(new URL('pagefind.js', newest).href);
  // Each merged index takes its own options (Pagefind gives `options` to the first one only).
  const settings = { excerptLength: 30, baseUrl: new URL('../', root).pathname };
  await pagefind.options(settings);
  // Fails when the newest bundle cannot be loaded (merging would wait for it for ever).
  await pagefind.filters();
  // Merged in order, newest first: results of equal score (a filter with no words) keep that order, by date.
  await Promise.all(older.map((bundle) => pagefind.mergeIndex(bundle.pathname, settings)));
  return pagefind;
}

async function main() {
  let pagefind;
  let available;
  try {
    pagefind = await openIndex();
    available = await pagefind.filters();
  } catch {
    status.textContent = text.unavailable;
    return;
  }
  const params = new URLSearchParams(location.search);
  input.value = params.get('q') ?? '';
  fillFilters(available, params);

  const run = async () => {
    const chosen = {};
    for (const select of filters.querySelectorAll('select[data-filter]')) {
      if (select.value) chosen[select.dataset.filter] = select.value;
    }
    const query = input.value.trim();
    if (!query && Object.keys(chosen).length === 0) {
      results.replaceChildren();
      status.textContent = '';
      return;
    }
    const search = await pagefind.search(query || null, {
      filters: chosen,
      sort: query ? undefined : { date: 'desc' },
    });
    render(await Promise.all(search.results.slice(0, 50).map((r) => r.data())));
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (input.value.trim()) next.set('q', input.value.trim());
    for (const select of filters.querySelectorAll('select')) if (select.value) next.set(select.name, select.value);
    history.replaceState(null, '', `${location.pathname}${next.size ? `?${next}` : ''}`);
    run();
  });
  for (const select of filters.querySelectorAll('select')) select.addEventListener('change', run);
  await run();
}

main();

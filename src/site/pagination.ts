/** One page of a paginated listing. */
export interface PageOf<T> {
  readonly url: string;
  readonly number: number;
  readonly total: number;
  readonly items: readonly T[];
  readonly previousUrl: string | undefined;
  readonly nextUrl: string | undefined;
}

/** The URL of page `n` of a listing at `base`: `/news/`, `/news/page/2/` ... */
export function pageUrl(base: string, n: number): string {
  return n === 1 ? base : `${base}page/${n}/`;
}

/** Splits `items` into pages of `perPage` at `/base/`, `/base/page/2/` ...; an empty list still has page 1. */
export function paginate<T>(items: readonly T[], perPage: number, base: string): PageOf<T>[] {
  const total = Math.max(1, Math.ceil(items.length / perPage));
  return Array.from({ length: total }, (_, i) => {
    const n = i + 1;
    return {
      url: pageUrl(base, n),
      number: n,
      total,
      items: items.slice(i * perPage, n * perPage),
      previousUrl: n > 1 ? pageUrl(base, n - 1) : undefined,
      nextUrl: n < total ? pageUrl(base, n + 1) : undefined,
    };
  });
}

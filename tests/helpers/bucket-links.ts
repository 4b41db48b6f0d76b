import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { load } from 'cheerio';
import * as csstree from 'css-tree';

/** The assets a page or stylesheet needs to display: what a reader's browser fetches with it (not links). */
const ASSET_ATTRIBUTES: readonly (readonly [selector: string, attribute: string])[] = [
  ['link[rel~="stylesheet"]', 'href'],
  ['link[rel~="icon"]', 'href'],
  ['link[rel~="apple-touch-icon"]', 'href'],
  ['link[rel~="preload"]', 'href'],
  ['link[rel~="modulepreload"]', 'href'],
  ['link[rel~="manifest"]', 'href'],
  ['script[src]', 'src'],
  ['img[src]', 'src'],
  ['img[srcset]', 'srcset'],
  ['source[srcset]', 'srcset'],
  ['source[src]', 'src'],
  ['video[poster]', 'poster'],
  ['meta[property="og:image"]', 'content'],
  ['meta[name="twitter:image"]', 'content'],
];

/** The URLs of the assets an HTML page refers to, parsed with a real HTML parser. */
function assetsOfPage(html: string): string[] {
  const $ = load(html);
  const urls: string[] = [];
  for (const [selector, attribute] of ASSET_ATTRIBUTES) {
    $(selector).each((_, element) => {
      const value = $(element).attr(attribute);
      if (!value) return;
      if (attribute === 'srcset') {
        for (const candidate of value.split(',')) urls.push(candidate.trim().split(/\s+/)[0] ?? '');
      } else urls.push(value);
    });
  }
  return urls.filter((u) => u !== '');
}

/** The URLs a stylesheet refers to (fonts, images, imports), parsed with css-tree. */
function assetsOfStylesheet(css: string): string[] {
  const urls: string[] = [];
  csstree.walk(csstree.parse(css), (node) => {
    if (node.type === 'Url') urls.push(node.value);
  });
  return urls;
}

/** Bytes as served: compressed copies (`.br`, `.gz`) are decoded, as a browser does. */
function decoded(key: string, bytes: Buffer): string {
  if (key.endsWith('.br')) return brotliDecompressSync(bytes).toString('utf8');
  if (key.endsWith('.gz')) return gunzipSync(bytes).toString('utf8');
  return bytes.toString('utf8');
}

/**
 * Reads a site's prefix in a bucket as readers would get it, object by object, and says which HTML page or
 * stylesheet refers to an asset of the same site that the bucket does not hold. Parsed objects are remembered by
 * ETag, so checking after every request of a publish costs one listing and the objects that changed.
 */
export class BucketLinks {
  private readonly parsed = new Map<string, { etag: string; urls: readonly string[] }>();

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    /** The site's base URL (site.yaml's baseUrl): references to it, or relative ones, are the site's own. */
    private readonly baseUrl: string,
  ) {}

  /** `page -> missing asset` for every reference the bucket cannot serve now, sorted. */
  async missing(): Promise<string[]> {
    const listed = new Map<string, string>();
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }),
      );
      for (const { Key, ETag } of page.Contents ?? []) {
        if (Key !== undefined) listed.set(Key.slice(this.prefix.length), ETag ?? '');
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const base = new URL(this.baseUrl);
    const problems: string[] = [];
    for (const [key, etag] of listed) {
      const plain = key.replace(/\.(br|gz)$/, '');
      const html = /\.html?$/.test(plain);
      if (!html && !plain.endsWith('.css')) continue;
      let urls = this.parsed.get(key)?.etag === etag ? this.parsed.get(key)?.urls : undefined;
      if (!urls) {
        const got = await this.client
          .send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }))
          .catch((error: unknown) => {
            // Deleted since the listing: nothing a reader can load, nothing to check.
            if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
            throw error;
          });
        if (!got) continue;
        const text = decoded(key, Buffer.from((await got.Body?.transformToByteArray()) ?? []));
        urls = html ? assetsOfPage(text) : assetsOfStylesheet(text);
        this.parsed.set(key, { etag, urls });
      }
      const page = new URL(plain, base);
      for (const url of urls) {
        if (url.startsWith('data:') || url.startsWith('#')) continue;
        const target = new URL(url, page);
        if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) continue;
        let wanted = decodeURIComponent(target.pathname.slice(base.pathname.length));
        if (wanted === '' || wanted.endsWith('/')) wanted += 'index.html';
        if (!listed.has(wanted)) problems.push(`${key} -> ${wanted}`);
      }
    }
    return problems.sort();
  }
}

import { describe, expect, it } from 'vitest';
import { formatS3Target, keyOf, listPrefix, parseS3Target } from '../../../src/publish/s3-target.js';

describe('parseS3Target', () => {
  it.each([
    ['s3://site-bucket', { bucket: 'site-bucket', prefix: '' }, 'index.html', 's3://site-bucket/'],
    ['s3://site-bucket/', { bucket: 'site-bucket', prefix: '' }, 'index.html', 's3://site-bucket/'],
    [
      's3://site.example.org/newsroom',
      { bucket: 'site.example.org', prefix: 'newsroom' },
      'newsroom/index.html',
      's3://site.example.org/newsroom/',
    ],
    ['s3://b12/sites/en/', { bucket: 'b12', prefix: 'sites/en' }, 'sites/en/index.html', 's3://b12/sites/en/'],
  ])('%s', (url, target, key, shown) => {
    const parsed = parseS3Target(url);
    expect(parsed).toEqual(target);
    expect(keyOf(parsed, 'index.html')).toBe(key);
    expect(formatS3Target(parsed)).toBe(shown);
    expect(listPrefix(parsed)).toBe(target.prefix ? `${target.prefix}/` : '');
  });

  it.each([
    ['https://bucket/x', /must be an s3:\/\/ URL/],
    ['s3://', /not a valid S3 bucket name/],
    ['s3://My_Bucket/x', /not a valid S3 bucket name/],
    ['s3://ab', /not a valid S3 bucket name/],
    ['s3://bucket/a//b', /empty, "\." or "\.\." segment/],
    ['s3://bucket/../x', /empty, "\." or "\.\." segment/],
  ])('refuses %s', (url, message) => {
    expect(() => parseS3Target(url)).toThrow(message);
  });
});

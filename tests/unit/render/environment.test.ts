import { describe, expect, it } from 'vitest';
import { longDate } from '../../../src/render/environment.js';

describe('longDate', () => {
  it('formats a day in the language of the page, the same again when asked again', () => {
    expect(longDate('2012-05-15', 'en')).toBe('15 May 2012');
    expect(longDate('2012-05-15', 'fr')).toBe('15 mai 2012');
    expect(longDate('2012-05-15', 'en')).toBe('15 May 2012');
    expect(longDate('2012-05-16', 'en')).toBe('16 May 2012');
  });
});

import { describe, expect, it } from 'vitest';
import { phoneInfo } from '../../../src/content/phone.js';

describe('phoneInfo', () => {
  it('accepts international numbers and gives their tel: URI', () => {
    expect(phoneInfo('+41 22 717 9111')).toEqual({ valid: true, tel: 'tel:+41227179111' });
  });

  it('refuses numbers without a + even when they parse, and invalid ones', () => {
    expect(phoneInfo('41 22 717 9111').valid).toBe(false);
    expect(phoneInfo('+41 1').valid).toBe(false);
    expect(phoneInfo('12345')).toEqual({ valid: false, tel: undefined });
  });

  it('gives the same answer for a number seen before', () => {
    expect(phoneInfo('+41 22 717 9111')).toBe(phoneInfo('+41 22 717 9111'));
  });
});

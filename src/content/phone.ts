import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** What the site needs of a phone number as written in front matter. */
export interface PhoneInfo {
  /** Whether it is an international number (`+` and a country code) that libphonenumber-js holds valid. */
  readonly valid: boolean;
  /** Its RFC 3966 `tel:` URI, when it can be parsed at all. */
  readonly tel: string | undefined;
}

/** Numbers seen so far: a press office's few numbers come back on release after release. */
const known = new Map<string, PhoneInfo>();
/** Past this many distinct numbers (a long dev session), the memo starts again rather than grow. */
const MAX_KNOWN = 10_000;

/**
 * Parses a phone number once per distinct text: libphonenumber-js is the costliest check of front matter, and a
 * release's numbers are checked by the schema and parsed again for their links.
 */
export function phoneInfo(text: string): PhoneInfo {
  let info = known.get(text);
  if (info === undefined) {
    const parsed = parsePhoneNumberFromString(text);
    info = { valid: text.startsWith('+') && (parsed?.isValid() ?? false), tel: parsed?.getURI() };
    if (known.size >= MAX_KNOWN) known.clear();
    known.set(text, info);
  }
  return info;
}

// Generates Newsroom sites of any size for benchmarks: press releases shaped like IOM's, from a seeded PRNG, so
// the same size and seed always give the same bytes. Templates, public/ and the sample's pages and _data are copied
// from the repository, so a generated site builds exactly as the sample does.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The repository root (holds the sample site: content/, templates/, public/). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** Duty stations, each with an office number the phone check accepts (taken from the sample releases). */
const STATIONS = [
  ['Yangon', 'Myanmar', 'Asia and the Pacific', 'IOM Yangon', '+95 1 210 588'],
  ['Harare', 'Zimbabwe', 'Africa', 'IOM Harare', '+263 242 704 285'],
  ['Port-au-Prince', 'Haiti', 'The Americas', 'IOM Port-au-Prince', '+509 3702 5066'],
  ['Djerba', 'Tunisia', 'Middle East and North Africa', 'IOM Tunis', '+216 71 860 312'],
  ['Bogotá', 'Colombia', 'The Americas', 'IOM Bogotá', '+57 601 639 7777'],
  ['Beijing', 'China', 'Asia and the Pacific', 'IOM Beijing', '+86 10 5979 9695'],
  ['Tacloban', 'Philippines', 'Asia and the Pacific', 'IOM Manila', '+63 2 8230 1999'],
  ['Conakry', 'Guinea', 'Africa', 'IOM Conakry', '+224 628 25 10 31'],
  ['Mytilene', 'Greece', 'Europe and Central Asia', 'IOM Athens', '+30 210 991 2174'],
  ['Beirut', 'Lebanon', 'Middle East and North Africa', 'IOM Beirut', '+961 1 752 250'],
  ["Cox's Bazar", 'Bangladesh', 'Asia and the Pacific', 'IOM Dhaka', '+880 2 5504 4811'],
  ['Niamey', 'Niger', 'Africa', 'IOM Niamey', '+227 20 75 23 26'],
  ['Beira', 'Mozambique', 'Africa', 'IOM Maputo', '+258 21 486 527'],
  ['Bangkok', 'Thailand', 'Asia and the Pacific', 'IOM Thailand', '+66 2 343 9300'],
  ['Guatemala City', 'Guatemala', 'The Americas', 'IOM Guatemala', '+502 2414 7400'],
  ['Kyiv', 'Ukraine', 'Europe and Central Asia', 'IOM Ukraine', '+380 44 568 5015'],
  ['Gaziantep', 'Türkiye', 'Europe and Central Asia', 'IOM Türkiye', '+90 312 454 3000'],
  ['Nairobi', 'Kenya', 'Africa', 'IOM Kenya', '+254 20 422 1000'],
  ['Dakar', 'Senegal', 'Africa', 'IOM Dakar', '+221 33 869 6200'],
  ['Amman', 'Jordan', 'Middle East and North Africa', 'IOM Amman', '+962 6 565 9660'],
  ['Aswan', 'Egypt', 'Middle East and North Africa', 'IOM Cairo', '+20 2 2736 5140'],
  ['Suva', 'Fiji', 'Asia and the Pacific', 'IOM Fiji', '+679 331 0007'],
  ['Brussels', 'Belgium', 'Europe and Central Asia', 'IOM Brussels', '+32 2 287 7000'],
  ['Kathmandu', 'Nepal', 'Asia and the Pacific', 'IOM Nepal', '+977 1 442 6250'],
  ['Panama City', 'Panama', 'The Americas', 'IOM Panama', '+507 305 3350'],
  ['Geneva', 'Switzerland', 'Europe and Central Asia', 'IOM Geneva', '+41 22 717 9111'],
].map(([location, country, region, office, phone]) => ({ location, country, region, office, phone }));

const GENEVA = STATIONS.at(-1);

const THEMES = [
  'Emergencies',
  'Displacement',
  'Migrant health',
  'Migration data',
  'Return and reintegration',
  'Labour migration',
  'Counter-trafficking',
  'Border management',
  'Refugee resettlement',
  'Climate and environment',
];

const FIRST_NAMES = [
  'Amina',
  'Pedro',
  'Helen',
  'Tarek',
  'Sofia',
  'Kwame',
  'Mei',
  'Jonas',
  'Fatima',
  'Diego',
  'Anjali',
  'Olena',
  'Samuel',
  'Leila',
  'Ravi',
  'Nadine',
  'Tomás',
  'Grace',
  'Emre',
  'Marta',
];
const LAST_NAMES = [
  'Okafor',
  'Guambe',
  'Marwick',
  'Mansour',
  'Lindqvist',
  'Mensah',
  'Chen',
  'Bauer',
  'Haddad',
  'Restrepo',
  'Sharma',
  'Kovalenko',
  'Ndiaye',
  'Farouk',
  'Thapa',
  'Fawzy',
  'Ferreira',
  'Waweru',
  'Yılmaz',
  'Santos',
];

const ACTIONS = [
  ['Scales Up', 'scales up'],
  ['Launches', 'launches'],
  ['Expands', 'expands'],
  ['Strengthens', 'strengthens'],
  ['Supports', 'supports'],
  ['Renews', 'renews'],
];
const SUBJECTS = [
  'Shelter Assistance for Flood-Affected Families',
  'Health Screening for Migrants in Transit',
  'Reintegration Support for Returning Migrants',
  'Displacement Tracking in Remote Districts',
  'Protection for Survivors of Trafficking',
  'Pre-departure Training for Migrant Workers',
  'Border Management Cooperation',
  'Climate Adaptation for Coastal Communities',
  'Cash Assistance for Displaced Households',
  'Migration Data Systems',
  'Community Stabilization Projects',
  'Vaccination Campaigns for Mobile Populations',
];

const OPENINGS = [
  'The programme responds to a sharp rise in needs reported by local authorities and community leaders over the past months.',
  'Field teams have carried out assessments in {n} sites, working closely with national and local authorities.',
  'The initiative builds on several years of cooperation between IOM and the Government of {country}.',
  'Needs remain high, particularly among women, children and older people who have been displaced more than once.',
  'Local organizations play a central role in reaching communities that are hard to access during the rainy season.',
  'Funding from donors has allowed the response to continue, although current resources cover less than half of the needs.',
  'Data collected by IOM teams is shared with humanitarian partners to guide the response and avoid duplication.',
  'Many families have lost their livelihoods and depend on assistance while they look for work or return home.',
  'Authorities estimate that more than {n} people have moved in the region since the start of the year.',
  'Training sessions for officials covered referral procedures, data protection and the rights of migrants.',
  'The project also supports host communities, whose services are under strain as new arrivals continue.',
  'IOM is working with the Ministry of Health to make sure that migrants can use public clinics without fear.',
  'Community meetings held in {location} helped to identify priorities, from clean water to safe transport.',
  'Mobile teams visit remote villages every week to register new arrivals and refer urgent cases.',
  'Partners agreed to review progress together at the end of the year and to publish the results.',
  'Heavy rains and damaged roads have slowed deliveries, and some areas can only be reached by boat or on foot.',
  'More than {n} people have received information on their rights and on the services available to them.',
  'The Displacement Tracking Matrix will publish updated figures every month so that partners can plan ahead.',
  'Returning migrants often come back with new skills, but they also face debts and difficulties finding work.',
  'Women’s groups have helped to design the activities, so that services are safe and easy to reach for everyone.',
  'Coordination meetings with the United Nations country team take place every two weeks in {location}.',
  'The government has asked IOM to support the revision of its national migration policy next year.',
  'Health workers report an increase in respiratory infections and skin diseases in crowded shelters.',
  'A hotline set up last year now receives around {n} calls a month from migrants and their families.',
  'Schools used as shelters need to be emptied soon so that children can go back to class.',
];

const QUOTES = [
  'Families tell us that what they need most is a safe place to stay and a way to earn a living again',
  'This partnership shows what can be achieved when governments, communities and humanitarians plan together',
  'Behind every number in our reports there is a person with a story and with rights that must be protected',
  'We are seeing needs grow faster than the resources available to meet them',
  'Good data helps authorities put help where it is needed, and that saves lives',
  'Migrants contribute to the communities they live in, and they must be able to reach basic services',
];
const ROLES = [
  'IOM Chief of Mission in {country}',
  'who leads IOM’s response in {location}',
  'IOM’s regional director for {region}',
  'head of IOM’s office in {location}',
];

const LIST_INTROS = [
  'The assistance provided so far includes:',
  'The programme has several parts:',
  'Key findings of the assessment include:',
  'IOM calls on partners to:',
];
const LIST_ITEMS = [
  'emergency shelter kits with tarpaulins, rope and tools for {n} households',
  'medical consultations and referrals at {n} health points',
  'cash assistance for families who lost their income',
  'training for {n} frontline workers on protection and referral',
  'water and sanitation repairs in reception centres',
  'psychosocial support for children and caregivers',
  'information sessions on safe and regular migration',
  'support for local authorities to register new arrivals',
  'transport for people with disabilities and older people',
  'small business grants for returning migrants',
];
const TABLE_ROWS = ['North', 'South', 'East', 'West', 'Central', 'Coastal', 'Highlands'];

/** mulberry32: a small, fast 32-bit PRNG, ample for shaping text (never Math.random, so output is reproducible). */
export function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picking helpers over one PRNG. */
function chooser(random) {
  const int = (min, max) => min + Math.floor(random() * (max - min + 1));
  const pick = (list) => list[Math.floor(random() * list.length)];
  const some = (list, count) => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, count);
  };
  return { random, int, pick, some };
}

const slugify = (text) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Lines of at most `width` characters, broken between words, as editors fold long YAML text. */
function wrap(text, width) {
  const lines = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

const words = (text) => text.split(/\s+/).filter(Boolean).length;
const pad = (n) => String(n).padStart(2, '0');
const thousands = (n) => n.toLocaleString('en-US');

/** A person of the office: name and IOM-style address. */
function person(c) {
  const first = c.pick(FIRST_NAMES);
  const last = c.pick(LAST_NAMES);
  const email = `${slugify(first)[0]}${slugify(last).replace(/-/g, '')}@iom.int`;
  return { name: `${first} ${last}`, email };
}

/** A date in `year`, never after 2026-11-26 (the benchmark judges embargoes at 2026-11-27). */
function dateIn(c, year) {
  const month = year === 2026 ? c.int(1, 10) : c.int(1, 12);
  const day = pad(c.int(1, 28));
  if (c.random() < 0.1) return `${year}-${pad(month)}-${day}T${pad(c.int(7, 17))}:00:00+01:00`;
  return `${year}-${pad(month)}-${day}`;
}

/** The note of a corrected release: GFM strikethrough, as editors mark a fixed figure. */
const CORRECTION =
  'An earlier version of this release said that the programme would run for ~~six months~~; it will run for a full year.';

/**
 * The Markdown body: 350-550 words in paragraphs, with a quote, a list, sometimes a table, and links; a corrected
 * release also has a struck-through correction.
 */
function body(c, station, phrase, earlier, corrected) {
  const fill = (text) =>
    text
      .replaceAll('{n}', thousands(c.int(12, 480) * 10))
      .replaceAll('{country}', station.country)
      .replaceAll('{location}', station.location)
      .replaceAll('{region}', station.region);
  const target = c.int(350, 550);
  const speaker = person(c).name;
  // Every sentence at most once per release.
  const deck = c.some(OPENINGS, OPENINGS.length);
  const parts = [
    `IOM, the UN Migration Agency, ${phrase} this week, in a response that will reach an estimated ${thousands(c.int(5, 90) * 1000)} people over the coming year.`,
    deck.splice(0, 3).map(fill).join(' '),
    `“${c.pick(QUOTES)},” said ${speaker}, ${fill(c.pick(ROLES))}. “Our teams will stay as long as they are needed.”`,
    [c.pick(LIST_INTROS), '', ...c.some(LIST_ITEMS, c.int(3, 5)).map((item) => `- ${fill(item)}`)].join('\n'),
  ];
  if (c.random() < 0.3) {
    const rows = c.some(TABLE_ROWS, c.int(3, 5));
    parts.push(
      'The table below shows people reached by district.',
      [
        '| District | Households | People reached |',
        '| -------- | ---------: | -------------: |',
        ...rows.map((r) => `| ${r} | ${thousands(c.int(20, 900) * 10)} | ${thousands(c.int(100, 4000) * 10)} |`),
      ].join('\n'),
    );
  }
  if (corrected) parts.push(CORRECTION);
  const closing = earlier
    ? `The response builds on earlier work such as [${earlier.title}](/news/${earlier.slug}/). More information is available at [www.iom.int](https://www.iom.int/).`
    : 'More information is available at [www.iom.int](https://www.iom.int/).';
  // Fill with paragraphs of two or three sentences up to the target, never past 550 words.
  let total = words([...parts, closing].join(' '));
  while (total < target && deck.length > 0) {
    const paragraph = [];
    for (const sentence of deck.splice(0, c.int(2, 3)).map(fill)) {
      if (total >= target || total + words(sentence) > 550) break;
      paragraph.push(sentence);
      total += words(sentence);
    }
    if (paragraph.length === 0) break;
    parts.push(paragraph.join(' '));
  }
  return `${[...parts, closing].join('\n\n')}\n`;
}

/** One release's file text, front matter as editors write it. */
function release(c, { title, phrase, date, station, earlier, corrected }) {
  const themes = c.some(THEMES, c.int(1, 3));
  const local = person(c);
  const contacts = [{ ...local, office: station.office, phone: station.phone }];
  if (station !== GENEVA && c.random() < 0.4) {
    contacts.push({ ...person(c), office: GENEVA.office, phone: GENEVA.phone });
  }
  const summary = `IOM ${phrase}, working with national authorities and local partners to reach people in need.`;
  return [
    '---',
    `title: ${title}`,
    `date: ${date}`,
    `location: ${station.location}`,
    `country: ${station.country}`,
    `region: ${station.region}`,
    'themes:',
    ...themes.map((t) => `  - ${t}`),
    'summary: >-',
    ...wrap(summary, 72).map((line) => `  ${line}`),
    'contacts:',
    ...contacts.flatMap((p) => [
      `  - name: ${p.name}`,
      `    office: ${p.office}`,
      `    phone: ${p.phone}`,
      `    email: ${p.email}`,
    ]),
    '---',
    '',
    body(c, station, phrase, earlier, corrected),
  ].join('\n');
}

/**
 * Writes a site of `count` releases into `dir` (content/news/<year>/<slug>.md), with the repository's templates,
 * public files, pages and site data. Returns the root-relative paths of the releases written.
 */
export async function generateSite(dir, count, seed = 20261127) {
  const c = chooser(prng(seed));
  for (const folder of ['templates', 'public', 'content/_data', 'content/pages']) {
    await cp(path.join(REPO_ROOT, folder), path.join(dir, folder), { recursive: true });
  }
  const slugs = new Set();
  const written = [];
  let earlier;
  for (let i = 0; i < count; i++) {
    const station = c.pick(STATIONS);
    const [action, verb] = c.pick(ACTIONS);
    const subject = c.pick(SUBJECTS);
    const title = `IOM ${action} ${subject} in ${station.country}`;
    const phrase = `${verb} ${subject.toLowerCase()} in ${station.country}`;
    const year = 2008 + (i % 19);
    // Offices repeat their headlines over the years: the year, then a number, tells them apart.
    let slug = slugify(title);
    if (slugs.has(slug)) slug = `${slugify(title)}-${year}`;
    for (let n = 2; slugs.has(slug); n++) slug = `${slugify(title)}-${year}-${n}`;
    slugs.add(slug);
    const file = `content/news/${year}/${slug}.md`;
    await mkdir(path.join(dir, 'content/news', String(year)), { recursive: true });
    // One release in eight is corrected, chosen by position (the PRNG is not asked).
    const corrected = i % 8 === 5;
    await writeFile(
      path.join(dir, file),
      release(c, { title, phrase, date: dateIn(c, year), station, earlier, corrected }),
    );
    written.push(file);
    earlier = { title, slug };
  }
  return written;
}

/** The newest release that is published at 2026-11-27 (no embargo, no draft): the one an editor most likely edits. */
export async function newestRelease(root, files) {
  let best;
  for (const file of files) {
    const text = await readFile(path.join(root, file), 'utf8');
    const front = text.split('\n---\n')[0];
    if (/^embargo:/m.test(front) || /^draft: true/m.test(front)) continue;
    const date = /^date: (\S+)/m.exec(front)?.[1] ?? '';
    if (!best || date > best.date) best = { file, date };
  }
  return best.file;
}

/** A release's text with the first sentence of its body that is followed by another on its line replaced. */
export function editFirstSentence(text) {
  const split = text.indexOf('\n---\n') + 5;
  return (
    text.slice(0, split) +
    text.slice(split).replace(/^([A-Z][^\n]*?[.!?])(?= )/m, 'This sentence was changed by the benchmark.')
  );
}

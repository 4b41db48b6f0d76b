import { z } from 'zod';
import { type Diagnostic, error, warning } from '../diagnostics.js';
import type { SourceFile } from './discover.js';
import { type LocatedData, type SplitFile, splitFrontMatter } from './front-matter.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';

/** Levenshtein distance, for "did you mean" hints on misspelt keys. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function suggestion(key: string, known: readonly string[]): string {
  const best = known
    .map((k) => ({ k, d: distance(key.toLowerCase(), k) }))
    .sort((x, y) => x.d - y.d || (x.k < y.k ? -1 : 1))[0];
  return best && best.d <= 2 ? ` (did you mean \`${best.k}\`?)` : '';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strips optional/default wrappers to reach the schema that describes the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The object schema describing the value at `path` (array indices step into the element), if any. */
function objectAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodObject | undefined {
  let current = unwrap(schema);
  for (const key of path) {
    if (current instanceof z.ZodObject && typeof key === 'string') {
      const field = Object.hasOwn(current.shape, key) ? (current.shape[key] as z.ZodType) : undefined;
      if (!field) return undefined;
      current = unwrap(field);
    } else if (current instanceof z.ZodArray && typeof key === 'number') {
      current = unwrap(current.element as z.ZodType);
    } else return undefined;
  }
  return current instanceof z.ZodObject ? current : undefined;
}

/** Paths of keys in `value` that the schema does not describe, at any depth, sorted. */
function unknownKeys(schema: z.ZodType, value: unknown, path: PropertyKey[]): PropertyKey[][] {
  const found: PropertyKey[][] = [];
  const shape = unwrap(schema);
  if (shape instanceof z.ZodObject && isRecord(value)) {
    for (const key of Object.keys(value).sort()) {
      // Own keys only: `constructor` or `__proto__` must not find Object.prototype's members and pass as known.
      const field = Object.hasOwn(shape.shape, key) ? (shape.shape[key] as z.ZodType) : undefined;
      if (!field) found.push([...path, key]);
      else found.push(...unknownKeys(field, value[key], [...path, key]));
    }
  } else if (shape instanceof z.ZodArray && Array.isArray(value)) {
    value.forEach((item, i) => {
      found.push(...unknownKeys(shape.element as z.ZodType, item, [...path, i]));
    });
  }
  return found;
}

/**
 * Checks located YAML data against an object schema. Every problem becomes a diagnostic at the line of the
 * offending key; keys the schema does not know are warnings, with a "did you mean" hint.
 */
export function validate<S extends z.ZodObject>(
  schema: S,
  data: LocatedData,
  file: string,
  rulePrefix: string,
): { value: z.output<S> | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const input = data.value ?? {};
  if (!isRecord(input)) {
    return {
      value: undefined,
      diagnostics: [error(file, data.locate([]), `${rulePrefix}/shape`, 'must be a list of `key: value` lines')],
    };
  }
  for (const path of unknownKeys(schema, input, [])) {
    const key = String(path[path.length - 1]);
    const parentKnown = Object.keys(objectAt(schema, path.slice(0, -1))?.shape ?? {});
    diagnostics.push(
      warning(
        file,
        data.locate(path),
        `${rulePrefix}/unknown-key`,
        key === '<<'
          ? 'merge keys (`<<: *name`) are not supported and are ignored: write the keys out'
          : `unknown key \`${key}\` is ignored${suggestion(key, parentKnown)}`,
      ),
    );
  }
  const result = schema.safeParse(input);
  if (result.success) return { value: result.data, diagnostics };
  for (const issue of result.error.issues) {
    const rule = `${rulePrefix}/${String(issue.path[0] ?? 'value')}`;
    diagnostics.push(error(file, data.locate(issue.path), rule, issue.message));
  }
  return { value: undefined, diagnostics };
}

/**
 * Splits a Markdown source and checks its front matter against `schema`. `meta` is undefined when the file cannot
 * be used; `diagnostics` holds every problem found (warnings too).
 */
export function readFrontMatter<S extends z.ZodObject>(
  source: SourceFile,
  schema: S,
  limits: Pick<Limits, 'frontMatter' | 'nesting'> = DEFAULT_LIMITS,
): { split: SplitFile | undefined; meta: z.output<S> | undefined; diagnostics: Diagnostic[] } {
  const { split, diagnostics } = splitFrontMatter(source, limits);
  if (!split) return { split, meta: undefined, diagnostics };
  const checked = validate(schema, split.data, source.path, 'front-matter');
  return { split, meta: checked.value, diagnostics: [...diagnostics, ...checked.diagnostics] };
}

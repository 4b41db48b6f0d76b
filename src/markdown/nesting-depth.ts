/** Where a Markdown text first nests quotes and lists deeper than a limit. */
export interface DeepLine {
  /** 0-based line of the text. */
  readonly line: number;
  readonly depth: number;
}

/** A list marker at `i` of `line` (`-`, `+`, `*`, `1.`, `1)`), followed by a space, a tab or the end: its length. */
function listMarker(line: string, i: number): number {
  const c = line.charCodeAt(i);
  let end = i;
  if (c === 45 || c === 43 || c === 42) end = i + 1;
  else {
    while (end < line.length && end - i < 9 && line.charCodeAt(end) >= 48 && line.charCodeAt(end) <= 57) end++;
    if (end === i || (line[end] !== '.' && line[end] !== ')')) return 0;
    end++;
  }
  const next = line[end];
  return next === undefined || next === ' ' || next === '\t' ? end - i : 0;
}

/**
 * The first line whose block quotes and list items nest deeper than `limit`, by a linear scan of the line starts:
 * remark's parser takes quadratic time on deep lists (400 levels: 3 s) and overflows the stack on deeper ones, so
 * this runs before it. An upper bound more than an exact count: every `>` and list marker at a line's start counts
 * a level, and a line indented to a list item's content column continues that item (as CommonMark says).
 */
export function deepLine(text: string, limit: number): DeepLine | undefined {
  /** Content columns of the list items still open, innermost last. */
  const open: number[] = [];
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    let column = 0;
    let i = 0;
    let depth = 0;
    let first = true;
    for (;;) {
      // Spaces and tabs (to the next multiple of 4) up to the next marker or the text.
      while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r')) {
        column = line[i] === '\t' ? column + 4 - (column % 4) : column + 1;
        i++;
      }
      if (line[i] === '>') {
        depth++;
        i++;
        column++;
        continue;
      }
      if (i >= line.length) break;
      if (first) {
        // The items whose content this line (past its quote markers) is indented to stay open; the others close.
        while (open.length > 0 && (open[open.length - 1] ?? 0) > column) open.pop();
        depth += open.length;
        first = false;
      }
      const marker = listMarker(line, i);
      if (marker === 0) break;
      depth++;
      i += marker;
      column += marker;
      open.push(column + 1);
    }
    if (depth > limit) return { line: lineNumber, depth };
    lineNumber++;
    start = end + 1;
  }
  return undefined;
}

import { type Document, isAlias, isCollection, isMap, isPair, isScalar, type Node } from 'yaml';

/** Characters of YAML that aliases may repeat in one document, in total. */
export const MAX_ALIAS_EXPANSION = 1_000_000;

/** What is wrong with a document's shape, and the node where it shows. */
export type ShapeProblem =
  | { readonly kind: 'nesting'; readonly node: Node }
  | { readonly kind: 'cycle'; readonly node: Node }
  | { readonly kind: 'duplicate'; readonly node: Node }
  | { readonly kind: 'complex-key'; readonly node: Node }
  | { readonly kind: 'expansion'; readonly node: Node; readonly size: number };

interface Measure {
  /** Levels of collections in the value, itself included, with aliases followed. */
  readonly depth: number;
  /** Characters of YAML the value is made of once every alias is replaced by what it names. */
  readonly size: number;
}

/** The child nodes of a collection: pairs' keys and values, and items. */
function childrenOf(node: Node): Node[] {
  if (!isCollection(node)) return [];
  const children: Node[] = [];
  for (const item of node.items) {
    if (isPair(item)) {
      if (item.key && typeof item.key === 'object') children.push(item.key as Node);
      if (item.value) children.push(item.value as Node);
    } else if (item) children.push(item as Node);
  }
  return children;
}

/**
 * The second of two equal keys of a map, if any: keys that become the same property (`1` and `"1"`) count as equal.
 * In one pass with a set, as yaml's own `uniqueKeys` compares every pair (10,000 keys: 4 s).
 */
function duplicateKey(node: Node): Node | undefined {
  if (!isMap(node)) return undefined;
  const seen = new Set<string>();
  for (const pair of node.items) {
    const key = pair.key;
    if (!isScalar(key)) continue;
    const name = String(key.value);
    if (seen.has(name)) return key;
    seen.add(name);
  }
  return undefined;
}

/**
 * The first key of a map that is a list or a map (`? [a, b]`), or an alias of one, if any: JavaScript objects have
 * only text keys, so yaml would turn it into text and print a process warning that names no file.
 */
function complexKey(node: Node, sources: ReadonlyMap<Node, Node>): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    const key = pair.key as Node | null;
    if (!key) continue;
    const named = isAlias(key) ? sources.get(key) : key;
    if (isCollection(key) || (named && isCollection(named))) return key;
  }
  return undefined;
}

const textLength = (node: Node): number => (node.range ? node.range[1] - node.range[0] : 1);

/**
 * What each alias names: the last node with its anchor before it. Found in one pass, as yaml's own `Alias.resolve`
 * walks the whole document for each alias (a hundred aliases in a big document would cost a hundred walks).
 */
function aliasSources(root: Node): Map<Node, Node> {
  const anchors = new Map<string, Node>();
  const sources = new Map<Node, Node>();
  const nodes: Node[] = [root];
  const ordered: Node[] = [];
  while (nodes.length > 0) {
    const node = nodes.pop() as Node;
    ordered.push(node);
    nodes.push(...childrenOf(node).reverse());
  }
  // Document order: keys, values and items come after their collection, in the order they are written.
  ordered.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
  for (const node of ordered) {
    if (isAlias(node)) {
      const source = anchors.get(node.source);
      if (source) sources.set(node, source);
    } else if (node.anchor) anchors.set(node.anchor, node);
  }
  return sources;
}

/**
 * Checks the shape of a parsed document before it becomes JavaScript values (which is recursive, and repeats what
 * aliases name): nesting deeper than `maxDepth` counting what aliases bring in, an alias inside the value it names
 * (a cycle: the value would be infinite), a key written twice in a map, a key that is a list or a map, or aliases repeating more than
 * {@link MAX_ALIAS_EXPANSION} characters (many aliases of one big value). One pass, without recursion: each node is
 * measured once.
 */
export function checkShape(doc: Document, maxDepth: number): ShapeProblem | undefined {
  const root = doc.contents as Node | null;
  if (!root) return undefined;
  const sources = aliasSources(root);
  const measured = new Map<Node, Measure>();
  const active = new Set<Node>();
  /** The alias that repeats the most, where an expansion over the limit is reported. */
  let biggest: { node: Node; size: number } | undefined;
  // `depth`: the collections around the node.
  const stack: { node: Node; children: Node[] | undefined; depth: number }[] = [
    { node: root, children: undefined, depth: 0 },
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as (typeof stack)[number];
    if (top.children === undefined) {
      if (measured.has(top.node)) {
        stack.pop();
        continue;
      }
      if (top.depth > maxDepth) return { kind: 'nesting', node: top.node };
      active.add(top.node);
      if (isAlias(top.node)) {
        const source = sources.get(top.node);
        if (source && active.has(source)) return { kind: 'cycle', node: top.node };
        top.children = source ? [source] : [];
        // Measured on its own: the alias's check below adds the levels above it.
        if (source) stack.push({ node: source, children: undefined, depth: 0 });
        continue;
      }
      const duplicate = duplicateKey(top.node);
      if (duplicate) return { kind: 'duplicate', node: duplicate };
      const complex = complexKey(top.node, sources);
      if (complex) return { kind: 'complex-key', node: complex };
      top.children = childrenOf(top.node);
      const inner = isCollection(top.node) ? top.depth + 1 : top.depth;
      for (const child of top.children) stack.push({ node: child, children: undefined, depth: inner });
      continue;
    }
    stack.pop();
    active.delete(top.node);
    let depth = 0;
    let size = isScalar(top.node) || isAlias(top.node) ? 0 : 2;
    for (const child of top.children) {
      const m = measured.get(child) as Measure;
      depth = Math.max(depth, m.depth);
      size += m.size;
    }
    if (isCollection(top.node)) depth += 1;
    if (isScalar(top.node)) size = textLength(top.node);
    // Measured below this node, the levels under it; where it sits decides whether the whole goes over.
    if (top.depth + depth > maxDepth) return { kind: 'nesting', node: top.node };
    measured.set(top.node, { depth, size });
    if (isAlias(top.node) && size > (biggest?.size ?? 0)) biggest = { node: top.node, size };
  }
  const total = measured.get(root)?.size ?? 0;
  if (total > MAX_ALIAS_EXPANSION + textLength(root)) {
    return { kind: 'expansion', node: biggest?.node ?? root, size: total };
  }
  return undefined;
}

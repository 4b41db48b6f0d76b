import { type Document, isAlias, isCollection, isPair, isScalar, type Node } from 'yaml';

/** Characters of YAML that aliases may repeat in one document, in total. */
export const MAX_ALIAS_EXPANSION = 1_000_000;

/** What is wrong with a document's shape, and the node where it shows. */
export type ShapeProblem =
  | { readonly kind: 'nesting'; readonly node: Node }
  | { readonly kind: 'cycle'; readonly node: Node }
  | { readonly kind: 'expansion'; readonly node: Node; readonly size: number };

interface Measure {
  /** Levels of collections in the value, itself included, with aliases followed. */
  readonly depth: number;
  /** Characters of YAML the value is made of once every alias is replaced by what it names. */
  readonly size: number;
}

/** The child nodes of a node: pairs' keys and values, items, and an alias's source. */
function childrenOf(doc: Document, node: Node): Node[] {
  if (isAlias(node)) {
    const source = node.resolve(doc);
    return source ? [source as Node] : [];
  }
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

const textLength = (node: Node): number => (node.range ? node.range[1] - node.range[0] : 1);

/**
 * Checks the shape of a parsed document before it becomes JavaScript values (which is recursive, and repeats what
 * aliases name): nesting deeper than `maxDepth` counting what aliases bring in, an alias inside the value it names
 * (a cycle: the value would be infinite), or aliases repeating more than {@link MAX_ALIAS_EXPANSION} characters
 * (many aliases of one big value). One pass, without recursion: each node is measured once.
 */
export function checkShape(doc: Document, maxDepth: number): ShapeProblem | undefined {
  const root = doc.contents as Node | null;
  if (!root) return undefined;
  const measured = new Map<Node, Measure>();
  const active = new Set<Node>();
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
      if (active.has(top.node)) return { kind: 'cycle', node: top.node };
      if (top.depth > maxDepth) return { kind: 'nesting', node: top.node };
      active.add(top.node);
      top.children = childrenOf(doc, top.node);
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
  }
  const total = measured.get(root)?.size ?? 0;
  if (total > MAX_ALIAS_EXPANSION + textLength(root)) return { kind: 'expansion', node: root, size: total };
  return undefined;
}

/**
 * @file Which declaration a comment documents, and its breadcrumb (`Parser.parse`): the names of the
 * declaration and of the scopes around it, joined by `.`.
 */
import type { Node } from 'web-tree-sitter';
import type { CodeLanguage } from './codeLanguages';

/**
 * How far up the tree a lookup climbs. Tree-sitter finds a node's parent by descending from the root, so
 * each `parent` costs the depth of the tree: a pathological tree (error recovery on a 1 MB line nests
 * thousands deep) must not be climbed to the top. Real declarations sit far shallower than this.
 */
const MAX_CLIMB = 128;

/** Node types that hold a declaration's name when it has no `name`-like field (Kotlin, TOML, PHP …). */
const NAME_TYPE = /^(identifier|simple_identifier|type_identifier|constant|name|word|bare_key|dotted_key|quoted_key|variable_name|property_identifier|field_identifier|package_identifier)$/;
const NAME_FIELDS = ['name', 'declarator', 'key', 'pattern', 'type'] as const;
const MAX_NAME = 120;

export class Declarations {
  private readonly scopes: ReadonlySet<string>;
  private readonly functions: ReadonlySet<string>;
  private readonly members: ReadonlySet<string>;
  private readonly wrappers: ReadonlySet<string>;
  private readonly skip: ReadonlySet<string>;
  private readonly comments: ReadonlySet<string>;

  constructor(lang: CodeLanguage) {
    this.scopes = new Set(lang.scopes);
    this.functions = new Set(lang.functions);
    this.members = new Set(lang.members ?? []);
    this.wrappers = new Set(lang.wrappers ?? []);
    this.skip = new Set(lang.skip ?? []);
    this.comments = new Set(lang.comments);
  }

  isDeclaration(node: Node): boolean {
    return this.scopes.has(node.type) || this.members.has(node.type);
  }

  /**
   * The declaration starting at `offset` (the first non-blank character after a comment): the outermost
   * node starting there that is a declaration, a wrapper or an attribute; attributes are stepped over and
   * wrappers opened. Declarations local to a function are not symbols.
   */
  at(root: Node, offset: number): Node | undefined {
    let best: Node | undefined;
    let node: Node | null = root.descendantForIndex(offset, offset + 1);
    for (let depth = 0; node && node.startIndex === offset && depth < MAX_CLIMB; node = node.parent, depth++) {
      if (this.isDeclaration(node) || this.wrappers.has(node.type) || this.skip.has(node.type)) best = node;
    }
    const decl = best && this.resolve(best, 0);
    return decl && !this.isLocal(decl) ? decl : undefined;
  }

  /** For Doxygen `/**<` trailing docs: the declaration just before the comment. */
  before(comment: Node): Node | undefined {
    let prev = comment.previousNamedSibling;
    while (prev && this.comments.has(prev.type)) prev = prev.previousNamedSibling;
    return prev && this.isDeclaration(prev) ? prev : undefined;
  }

  /** The nearest named scope around a node (for Rust `//!` and Python docstrings). */
  enclosing(node: Node): Node | undefined {
    return ancestors(node)
      .reverse()
      .find((n) => this.scopes.has(n.type) && this.nameOf(n));
  }

  breadcrumb(decl: Node): string | undefined {
    const parts = [...ancestors(decl).filter((n) => this.scopes.has(n.type)), decl].flatMap((n) => this.nameOf(n) ?? []);
    return parts.length ? parts.join('.') : undefined;
  }

  private resolve(node: Node, depth: number): Node | undefined {
    if (depth > 4) return undefined;
    if (this.isDeclaration(node)) return node;
    if (this.skip.has(node.type)) {
      let next = node.nextNamedSibling;
      while (next && this.comments.has(next.type)) next = next.nextNamedSibling;
      return next ? this.resolve(next, depth + 1) : undefined;
    }
    if (this.wrappers.has(node.type)) {
      const inner = node.namedChildren.filter((c): c is Node => !!c && (this.isDeclaration(c) || this.wrappers.has(c.type)));
      return inner.length === 1 ? this.resolve(inner[0]!, depth + 1) : undefined;
    }
    return undefined;
  }

  private isLocal(decl: Node): boolean {
    return !this.scopes.has(decl.type) && ancestors(decl).some((n) => this.functions.has(n.type));
  }

  nameOf(node: Node): string | undefined {
    if (node.type === 'method_declaration' && node.childForFieldName('receiver')) return goMethodName(node);
    let n: Node = node;
    for (let depth = 0; depth < 6; depth++) {
      if (/qualified|scoped/.test(n.type) && n !== node) break;
      const field = NAME_FIELDS.map((f) => n.childForFieldName(f)).find((c) => c && (c.isNamed || NAME_TYPE.test(c.type)));
      if (!field) break;
      n = field;
    }
    if (n === node) n = findNameChild(node) ?? node;
    return n === node ? undefined : normalizeName(n.text);
  }
}

/** Breadth-first, two levels down, skipping bodies. */
function findNameChild(node: Node): Node | undefined {
  let level: Node[] = [node];
  for (let depth = 0; depth < 2 && level.length; depth++) {
    const next: Node[] = [];
    for (const n of level) {
      for (const c of n.namedChildren) {
        if (!c) continue;
        if (NAME_TYPE.test(c.type)) return c;
        if (!/body|block|statement|parameters|arguments|value/.test(c.type)) next.push(c);
      }
    }
    level = next;
  }
  return undefined;
}

/** `func (p *Parser[T]) Parse()` → `Parser.Parse`. */
function goMethodName(node: Node): string | undefined {
  const name = node.childForFieldName('name')?.text;
  const receiverType = node.childForFieldName('receiver')?.namedChildren[0]?.childForFieldName('type')?.text;
  const type = receiverType?.replace(/^\*/, '').replace(/\[.*$/, '');
  if (!name) return undefined;
  return normalizeName(type ? `${type}.${name}` : name);
}

function normalizeName(text: string): string | undefined {
  const name = text
    .replace(/\s+/g, '')
    .replace(/::|:|->|#/g, '.')
    .replace(/^\.+|\.+$/g, '');
  return name && name.length <= MAX_NAME ? name : undefined;
}

/** The nodes around `node`, outermost first, at most `MAX_CLIMB` of them. */
function ancestors(node: Node): Node[] {
  const out: Node[] = [];
  for (let n = node.parent; n && out.length < MAX_CLIMB; n = n.parent) out.push(n);
  return out.reverse();
}

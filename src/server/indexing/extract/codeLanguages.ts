/**
 * @file What the comment extractor needs to know about each programming language: its tree-sitter
 * grammar, comment node types, which comment forms are documentation, and which nodes are declarations
 * (for the documented symbol's breadcrumb). Keyed by VS Code language id.
 */
import type { GrammarName } from './treeSitter';

export interface CodeLanguage {
  grammar: GrammarName;
  /** Node types that are comments. */
  comments: readonly string[];
  /** Comment openers that make a doc comment documenting the next declaration: `/**`, `///`, `---`. */
  docMarkers?: readonly string[];
  /** Doc openers documenting the enclosing item instead (Rust `//!`, `/*!`). */
  innerDocMarkers?: readonly string[];
  /** Doxygen `///<` / `/**<` document the member before them. */
  trailingDoc?: boolean;
  /** Go: a comment directly above a top-level declaration, field or method is its doc comment. */
  adjacentDoc?: boolean;
  /** Ruby, shell: `#` comments directly above a definition are docs when they use `@tags` (YARD, shdoc). */
  tagDoc?: boolean;
  /** C#: `///` holds XML doc tags, turned into text. */
  xmlDoc?: boolean;
  /** Python: string literals first in a module, class or function body are docstrings. */
  docstrings?: boolean;
  /** Named declarations that can contain others: their names make the breadcrumb. */
  scopes: readonly string[];
  /** Functions among the scopes: declarations inside them are locals, never documented symbols. */
  functions: readonly string[];
  /** Named declarations that contain none (fields, variables, keys). */
  members?: readonly string[];
  /** Nodes around exactly one declaration (`export`, decorators, `template <…>`). */
  wrappers?: readonly string[];
  /** Nodes allowed between a doc comment and its declaration (attributes, annotations). */
  skip?: readonly string[];
  /** Child nodes holding another language's source, parsed with that language (HTML `<script>`). */
  injections?: Readonly<Record<string, string>>;
}

const js = {
  comments: ['comment'],
  docMarkers: ['/**'],
  scopes: [
    'class_declaration', 'class', 'abstract_class_declaration', 'interface_declaration', 'enum_declaration', 'module',
    'internal_module', 'function_declaration', 'generator_function_declaration', 'function_signature', 'method_definition',
  ],
  functions: ['function_declaration', 'generator_function_declaration', 'method_definition', 'function_expression', 'arrow_function', 'function'],
  members: [
    'variable_declarator', 'public_field_definition', 'field_definition', 'method_signature', 'abstract_method_signature',
    'property_signature', 'type_alias_declaration', 'pair', 'enum_assignment',
  ],
  wrappers: ['export_statement', 'lexical_declaration', 'variable_declaration', 'ambient_declaration'],
  skip: ['decorator'],
} as const;

const cFamily = {
  comments: ['comment'],
  docMarkers: ['/**', '/*!', '///', '//!'],
  trailingDoc: true,
  scopes: ['function_definition', 'struct_specifier', 'union_specifier', 'enum_specifier', 'class_specifier', 'namespace_definition'],
  functions: ['function_definition', 'lambda_expression'],
  members: ['declaration', 'field_declaration', 'type_definition', 'alias_declaration', 'preproc_def', 'preproc_function_def', 'enumerator', 'concept_definition'],
  wrappers: ['template_declaration', 'linkage_specification'],
  skip: ['attribute_declaration'],
} as const;

export const CODE_LANGUAGES: Readonly<Record<string, CodeLanguage>> = Object.freeze({
  javascript: { grammar: 'javascript', ...js },
  javascriptreact: { grammar: 'javascript', ...js },
  typescript: { grammar: 'typescript', ...js },
  typescriptreact: { grammar: 'tsx', ...js },
  python: {
    grammar: 'python',
    comments: ['comment'],
    docstrings: true,
    scopes: ['class_definition', 'function_definition'],
    functions: ['function_definition', 'lambda'],
    wrappers: ['decorated_definition'],
  },
  rust: {
    grammar: 'rust',
    comments: ['line_comment', 'block_comment'],
    docMarkers: ['///', '/**'],
    innerDocMarkers: ['//!', '/*!'],
    scopes: ['mod_item', 'impl_item', 'trait_item', 'struct_item', 'enum_item', 'union_item', 'function_item', 'function_signature_item', 'macro_definition'],
    functions: ['function_item', 'closure_expression'],
    members: ['field_declaration', 'enum_variant', 'const_item', 'static_item', 'type_item'],
    skip: ['attribute_item'],
  },
  go: {
    grammar: 'go',
    comments: ['comment'],
    adjacentDoc: true,
    scopes: ['function_declaration', 'method_declaration', 'type_spec'],
    functions: ['function_declaration', 'method_declaration', 'func_literal'],
    members: ['field_declaration', 'method_spec', 'method_elem', 'const_spec', 'var_spec', 'package_clause'],
    wrappers: ['type_declaration', 'const_declaration', 'var_declaration'],
  },
  java: {
    grammar: 'java',
    comments: ['line_comment', 'block_comment'],
    docMarkers: ['/**'],
    scopes: ['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration', 'annotation_type_declaration', 'method_declaration', 'constructor_declaration'],
    functions: ['method_declaration', 'constructor_declaration', 'lambda_expression'],
    members: ['field_declaration', 'constant_declaration', 'enum_constant', 'annotation_type_element_declaration'],
  },
  c: { grammar: 'c', ...cFamily },
  cpp: { grammar: 'cpp', ...cFamily },
  csharp: {
    grammar: 'c_sharp',
    comments: ['comment'],
    docMarkers: ['///', '/**'],
    xmlDoc: true,
    scopes: [
      'namespace_declaration', 'class_declaration', 'struct_declaration', 'interface_declaration', 'record_declaration',
      'enum_declaration', 'method_declaration', 'constructor_declaration', 'local_function_statement',
    ],
    functions: ['method_declaration', 'constructor_declaration', 'local_function_statement', 'lambda_expression'],
    members: ['property_declaration', 'field_declaration', 'event_declaration', 'delegate_declaration', 'enum_member_declaration', 'indexer_declaration'],
    skip: ['attribute_list'],
  },
  ruby: {
    grammar: 'ruby',
    comments: ['comment'],
    tagDoc: true,
    scopes: ['module', 'class', 'singleton_class', 'method', 'singleton_method'],
    functions: ['method', 'singleton_method', 'lambda', 'block', 'do_block'],
  },
  php: {
    grammar: 'php',
    comments: ['comment'],
    docMarkers: ['/**'],
    scopes: ['namespace_definition', 'class_declaration', 'interface_declaration', 'trait_declaration', 'enum_declaration', 'function_definition', 'method_declaration'],
    functions: ['function_definition', 'method_declaration', 'anonymous_function', 'arrow_function'],
    members: ['property_declaration', 'const_declaration', 'enum_case'],
    skip: ['attribute_list'],
  },
  shellscript: {
    grammar: 'bash',
    comments: ['comment'],
    tagDoc: true,
    scopes: ['function_definition'],
    functions: ['function_definition'],
  },
  kotlin: {
    grammar: 'kotlin',
    comments: ['line_comment', 'multiline_comment'],
    docMarkers: ['/**'],
    scopes: ['class_declaration', 'object_declaration', 'function_declaration', 'secondary_constructor'],
    functions: ['function_declaration', 'secondary_constructor', 'lambda_literal', 'anonymous_function'],
    members: ['property_declaration', 'enum_entry', 'type_alias'],
  },
  swift: {
    grammar: 'swift',
    comments: ['comment', 'multiline_comment'],
    docMarkers: ['///', '/**'],
    scopes: ['class_declaration', 'protocol_declaration', 'function_declaration', 'init_declaration', 'protocol_function_declaration'],
    functions: ['function_declaration', 'init_declaration', 'lambda_literal'],
    members: ['property_declaration', 'typealias_declaration', 'enum_entry', 'protocol_property_declaration'],
  },
  scala: {
    grammar: 'scala',
    comments: ['comment', 'block_comment'],
    docMarkers: ['/**'],
    scopes: ['class_definition', 'object_definition', 'trait_definition', 'enum_definition', 'function_definition', 'function_declaration'],
    functions: ['function_definition', 'lambda_expression'],
    members: ['val_definition', 'var_definition', 'val_declaration', 'var_declaration', 'type_definition'],
  },
  lua: {
    grammar: 'lua',
    comments: ['comment'],
    docMarkers: ['---'],
    scopes: ['function_declaration'],
    functions: ['function_declaration', 'function_definition'],
  },
  yaml: {
    grammar: 'yaml',
    comments: ['comment'],
    scopes: ['block_mapping_pair'],
    functions: [],
  },
  toml: {
    grammar: 'toml',
    comments: ['comment'],
    scopes: ['table', 'table_array_element'],
    functions: [],
    members: ['pair'],
  },
  html: {
    grammar: 'html',
    comments: ['comment'],
    scopes: [],
    functions: [],
    injections: { script_element: 'javascript', style_element: 'css' },
  },
  xml: { grammar: 'xml', comments: ['Comment'], scopes: [], functions: [] },
  css: { grammar: 'css', comments: ['comment'], scopes: [], functions: [] },
  scss: { grammar: 'scss', comments: ['comment', 'single_line_comment'], scopes: [], functions: [] },
} satisfies Record<string, CodeLanguage>);

/**
 * The results of the editor features, pure data in the shapes of the Language Server Protocol (the
 * numeric kinds are LSP's), so the server passes them on unchanged without this layer importing it.
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/
 */
import type { Position, Range } from '../position';
import type { TextEdit } from '../lint/types';

export type { Position, Range, TextEdit };

/** The display language of hover texts and completion documentation. */
export type Locale = 'en' | 'zh-cn';

/** What the local store knows about an image, for hover and completion in FROM (the server reads the store). */
export interface ImageFacts {
  /** `sha256:...` */
  id: string;
  /** Bytes. */
  size: number;
  /** RFC 3339. */
  created?: string;
  /** A repo digest `name@sha256:...`, when the image came from a registry. */
  digest?: string;
}

/** The store, as the features see it; the server passes one in. */
export interface ImageSource {
  /** The image a FROM names, or undefined when the store does not have it. */
  lookup(reference: string): Promise<ImageFacts | undefined>;
  /** Every `repository:tag` in the store (familiar names, e.g. `busybox:latest`). */
  names(): Promise<string[]>;
}

/** Options shared by hover and completion. */
export interface FeatureOptions {
  locale?: Locale;
  images?: ImageSource;
}

/** A hover: Markdown and the range it is about. */
export interface HoverResult {
  markdown: string;
  range?: Range;
}

/** LSP CompletionItemKind values used here. */
export const CompletionKind = { Text: 1, Function: 3, Field: 5, Variable: 6, Module: 9, Property: 10, Value: 12, Keyword: 14, Snippet: 15, Reference: 18, Constant: 21 } as const;

/** A completion item (LSP CompletionItem subset). */
export interface CompletionResult {
  label: string;
  kind: number;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Replaces `range` in the document; `snippet` text uses LSP snippet syntax ($1, ${1:name}). */
  textEdit?: TextEdit;
  insertText?: string;
  snippet?: boolean;
  sortText?: string;
  filterText?: string;
}

/** LSP SymbolKind values used here. */
export const SymbolKind = { Module: 2, Namespace: 3, Class: 5, Method: 6, Property: 7, Field: 8, Function: 12, Variable: 13, Constant: 14, Key: 20, Event: 24, Operator: 25 } as const;

/** A document symbol (LSP DocumentSymbol). */
export interface SymbolResult {
  name: string;
  detail?: string;
  kind: number;
  range: Range;
  selectionRange: Range;
  children?: SymbolResult[];
}

/** A folding range (LSP FoldingRange); `kind` is `comment`, `imports` or `region`. */
export interface FoldingResult {
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'imports' | 'region';
}

/** A location in the same document (go to definition). */
export interface LocationResult {
  range: Range;
}

/** A document link (LSP DocumentLink). */
export interface LinkResult {
  range: Range;
  target: string;
  tooltip?: string;
}

/** Formatting options (LSP FormattingOptions subset). */
export interface FormatOptions {
  tabSize: number;
  insertSpaces: boolean;
}

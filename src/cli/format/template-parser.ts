/**
 * The parser of Go's text/template (src/text/template/parse/parse.go), producing the same tree:
 * text, actions with pipelines of commands, if/range/with with else (and `else if`,
 * `else with`), break/continue, variables with Go's scoping, and parenthesised pipelines.
 * Errors read like Go's: `template: :1: unexpected "}" in operand`.
 */
import { BerthError } from '../../engine/errors.js';
import { quote } from './gofmt.js';
import { lexTemplate, type Token, type TokenKind } from './template-lexer.js';

/** A sequence of nodes. */
export interface ListNode { readonly type: 'list'; readonly pos: number; readonly nodes: Node[] }
/** Literal text outside actions. */
export interface TextNode { readonly type: 'text'; readonly pos: number; readonly text: string }
/** `{{pipeline}}`: prints the pipeline's value unless it declares variables. */
export interface ActionNode { readonly type: 'action'; readonly pos: number; readonly pipe: PipeNode }
/** `{{if}}`, `{{range}}` or `{{with}}` with its body and optional else body. */
export interface BranchNode {
  readonly type: 'if' | 'range' | 'with';
  readonly pos: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | undefined;
}
/** `{{break}}` or `{{continue}}` inside a range. */
export interface LoopControlNode { readonly type: 'break' | 'continue'; readonly pos: number }
/** Commands joined by `|`, optionally declaring (`:=`) or assigning (`=`) variables. */
export interface PipeNode {
  readonly type: 'pipe';
  readonly pos: number;
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
/** A function, method or value with its arguments. */
export interface CommandNode { readonly type: 'command'; readonly pos: number; readonly args: ArgNode[] }
/** `.A.B`: fields looked up from dot. */
export interface FieldNode { readonly type: 'field'; readonly pos: number; readonly ident: readonly string[] }
/** ident[0] is the variable's name with its `$`; the rest are fields. */
export interface VariableNode { readonly type: 'variable'; readonly pos: number; readonly ident: readonly string[] }
/** `.`: the current value. */
export interface DotNode { readonly type: 'dot'; readonly pos: number }
/** The `nil` literal. */
export interface NilNode { readonly type: 'nil'; readonly pos: number }
/** `true` or `false`. */
export interface BoolNode { readonly type: 'bool'; readonly pos: number; readonly value: boolean }
/** A number or character literal, with its source text. */
export interface NumberNode { readonly type: 'number'; readonly pos: number; readonly text: string; readonly value: number; readonly isInt: boolean }
/** A quoted or raw string literal and its value. */
export interface StringNode { readonly type: 'string'; readonly pos: number; readonly quoted: string; readonly text: string }
/** A function name. */
export interface IdentifierNode { readonly type: 'identifier'; readonly pos: number; readonly name: string }
/** `(pipeline).A.B`: fields looked up from a parenthesised value. */
export interface ChainNode { readonly type: 'chain'; readonly pos: number; readonly node: ArgNode; readonly field: readonly string[] }

/** A node of a template's body. */
export type Node = ListNode | TextNode | ActionNode | BranchNode | LoopControlNode;
/** A node that can be a command's argument. */
export type ArgNode = FieldNode | VariableNode | DotNode | NilNode | BoolNode | NumberNode | StringNode | IdentifierNode | ChainNode | PipeNode;

type EndOrElse = { readonly type: 'end'; readonly pos: number } | { readonly type: 'else'; readonly pos: number };

/** Node text as Go's String() methods write it, for error messages. */
export function nodeString(n: ArgNode | CommandNode): string {
  switch (n.type) {
    case 'field':
      return n.ident.map((s) => '.' + s).join('');
    case 'variable':
      return n.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'identifier':
      return n.name;
    case 'chain':
      return (n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + n.field.map((f) => '.' + f).join('');
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'pipe': {
      const decl = n.decl.length ? n.decl.map(nodeString).join(', ') + (n.isAssign ? ' = ' : ' := ') : '';
      return decl + n.cmds.map(nodeString).join(' | ');
    }
  }
}

const KEYWORD_KINDS: ReadonlySet<TokenKind> = new Set<TokenKind>(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block', 'nil', 'dot']);
const OPERAND_START: ReadonlySet<TokenKind> = new Set<TokenKind>(['bool', 'charConstant', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen']);

function tokenText(t: Token): string {
  if (t.kind === 'eof') return 'EOF';
  if (KEYWORD_KINDS.has(t.kind)) return `<${t.val}>`;
  const runes = Array.from(t.val);
  return runes.length > 10 ? quote(runes.slice(0, 10).join('')) + '...' : quote(t.val);
}

const ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** strconv.Unquote for "…", `…` and '…' literals; undefined when the literal is malformed. */
function unquote(lit: string): string | undefined {
  const q = lit[0];
  const body = lit.slice(1, -1);
  if (q === '`') return body.replace(/\r/g, '');
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      if (c === q) return undefined;
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    if (ESCAPES[e] !== undefined) out += ESCAPES[e];
    else if (e === q) out += e;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const digits = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(digits)) return undefined;
      const cp = parseInt(digits, 16);
      if (cp > 0x10ffff || (e !== 'x' && cp >= 0xd800 && cp <= 0xdfff)) return undefined;
      out += e === 'x' && q === '"' && cp >= 0x80 ? Buffer.from([cp]).toString('latin1') : String.fromCodePoint(cp);
      i += len;
    } else if (e >= '0' && e <= '7') {
      const digits = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(digits) || parseInt(digits, 8) > 255) return undefined;
      out += String.fromCharCode(parseInt(digits, 8));
      i += 2;
    } else return undefined;
  }
  return out;
}

const INT_LITERAL = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/;
const FLOAT_LITERAL = /^(?=\.?\d)\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d[\d_]*)?$|^\.\d[\d_]*(?:[eE][+-]?\d[\d_]*)?$/;
const badUnderscores = (s: string): boolean => /__|_$|^_|_\.|\._|_[eE]|[eE]_/.test(s);

/** A Go number literal's value; undefined when Go would reject it. */
function parseNumber(text: string): { value: number; isInt: boolean } | undefined {
  let s = text;
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  if (INT_LITERAL.test(s) && !badUnderscores(s.replace(/^0[xXoObB]_?/, '0'))) {
    const clean = s.replace(/_/g, '');
    const big = /^0[0-7]+$/.test(clean) ? BigInt('0o' + clean.slice(1)) : BigInt(clean);
    return { value: sign * Number(big), isInt: true };
  }
  if (FLOAT_LITERAL.test(s) && !badUnderscores(s)) {
    const f = Number(s.replace(/_/g, ''));
    if (Number.isFinite(f)) return { value: sign * f, isInt: Number.isInteger(f) };
  }
  return undefined;
}

const MAX_DEPTH = 1000;

class Parser {
  private i = 0;
  private furthest = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;
  private depth = 0;
  private readonly tokens: Token[];

  constructor(text: string, private readonly functions: ReadonlySet<string>) {
    this.tokens = lexTemplate(text);
  }

  parse(): ListNode {
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().kind !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected {{${n.type}}}`);
      root.nodes.push(n);
    }
    return root;
  }

  // --- token access -------------------------------------------------------------------------

  private at(index: number): Token {
    const t = this.tokens[Math.min(index, this.tokens.length - 1)];
    this.furthest = Math.max(this.furthest, Math.min(index, this.tokens.length - 1));
    if (t.kind === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at :${this.actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(t.val + extra);
    }
    return t;
  }

  private peek(): Token {
    return this.at(this.i);
  }

  private next(): Token {
    return this.at(this.i++);
  }

  private backup(): void {
    this.i--;
  }

  private peekNonSpace(): Token {
    while (this.peek().kind === 'space') this.i++;
    return this.peek();
  }

  private nextNonSpace(): Token {
    this.peekNonSpace();
    return this.next();
  }

  private expect(kind: TokenKind, context: string): Token {
    const t = this.nextNonSpace();
    if (t.kind !== kind) this.unexpected(t, context);
    return t;
  }

  private errorf(message: string): never {
    const line = this.tokens[this.furthest].line;
    throw new BerthError('INVALID_ARGUMENT', `template: :${line}: ${message}`);
  }

  private unexpected(t: Token, context: string): never {
    this.errorf(`unexpected ${tokenText(t)} in ${context}`);
  }

  // --- structure ----------------------------------------------------------------------------

  private textOrAction(): Node | EndOrElse {
    const t = this.nextNonSpace();
    if (t.kind === 'text') return { type: 'text', pos: t.pos, text: t.val };
    if (t.kind !== 'leftDelim') this.unexpected(t, 'input');
    this.actionLine = t.line;
    try {
      return this.action();
    } finally {
      this.actionLine = 0;
    }
  }

  private action(): Node | EndOrElse {
    const t = this.nextNonSpace();
    switch (t.kind) {
      case 'break':
      case 'continue':
        return this.loopControl(t.kind, t.pos);
      case 'else':
        return this.elseControl();
      case 'end':
        return { type: 'end', pos: this.expect('rightDelim', 'end').pos };
      case 'if':
      case 'range':
      case 'with':
        return { type: t.kind, ...this.parseControl(t.kind) };
      case 'define':
      case 'template':
      case 'block':
        this.errorf(`{{${t.kind}}} is not supported in --format templates`);
    }
    this.backup();
    const start = this.peek();
    return { type: 'action', pos: start.pos, pipe: this.pipeline('command', 'rightDelim') };
  }

  private loopControl(kind: 'break' | 'continue', pos: number): LoopControlNode {
    const t = this.nextNonSpace();
    if (t.kind !== 'rightDelim') this.unexpected(t, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`);
    return { type: kind, pos };
  }

  private elseControl(): EndOrElse {
    const peek = this.peekNonSpace();
    if (peek.kind === 'if' || peek.kind === 'with') return { type: 'else', pos: peek.pos };
    return { type: 'else', pos: this.expect('rightDelim', 'else').pos };
  }

  private parseControl(context: 'if' | 'range' | 'with'): Omit<BranchNode, 'type'> {
    const mark = this.vars.length;
    this.enter();
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === 'else') {
        const chained = this.peek().kind;
        if ((context === 'if' || context === 'with') && chained === context) {
          this.next();
          elseList = { type: 'list', pos: next.pos, nodes: [{ type: context, ...this.parseControl(context) }] };
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found {{${next.type}}}`);
        }
      }
      return { pos: pipe.pos, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
      this.depth--;
    }
  }

  /** Bounds nesting, so a hostile template fails cleanly instead of exhausting the stack. */
  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.errorf('max expression depth exceeded');
  }

  private itemList(): [ListNode, EndOrElse] {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().kind !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  // --- pipelines ----------------------------------------------------------------------------

  private pipeline(context: string, end: TokenKind): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: start.pos, isAssign: false, decl: [], cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const t = this.nextNonSpace();
      if (t.kind === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (!OPERAND_START.has(t.kind)) this.unexpected(t, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
  }

  private declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.kind !== 'variable') return;
      const save = this.i;
      this.next();
      const next = this.peekNonSpace();
      if (next.kind === 'assign' || next.kind === 'declare') {
        pipe.isAssign = next.kind === 'assign';
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        return;
      }
      if (next.kind === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const k = this.peekNonSpace().kind;
          if (k === 'variable' || k === 'rightDelim' || k === 'rightParen') continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.i = save;
      return;
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const first = c.args[0].type;
      if (first === 'bool' || first === 'dot' || first === 'nil' || first === 'number' || first === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.kind === 'space') continue;
      if (t.kind === 'rightDelim' || t.kind === 'rightParen') this.backup();
      else if (t.kind !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (!node || this.peek().kind !== 'field') return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().kind === 'field') fields.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: node.pos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos: node.pos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.errorf(`unexpected . after term ${quote(nodeString(node))}`);
    }
    return { type: 'chain', pos, node, field: fields };
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.kind) {
      case 'identifier':
        if (!this.functions.has(t.val)) this.errorf(`function ${quote(t.val)} not defined`);
        return { type: 'identifier', pos: t.pos, name: t.val };
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'nil':
        return { type: 'nil', pos: t.pos };
      case 'variable':
        if (!this.vars.includes(t.val)) this.errorf(`undefined variable ${quote(t.val)}`);
        return { type: 'variable', pos: t.pos, ident: [t.val] };
      case 'field':
        return { type: 'field', pos: t.pos, ident: [t.val.slice(1)] };
      case 'bool':
        return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant': {
        const s = unquote(t.val);
        const runes = s === undefined ? [] : Array.from(s);
        if (runes.length !== 1) this.errorf(`malformed character constant: ${t.val}`);
        return { type: 'number', pos: t.pos, text: t.val, value: runes[0].codePointAt(0)!, isInt: true };
      }
      case 'number': {
        const n = parseNumber(t.val);
        if (!n) this.errorf(`illegal number syntax: ${quote(t.val)}`);
        return { type: 'number', pos: t.pos, text: t.val, ...n };
      }
      case 'leftParen': {
        this.enter();
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        this.depth--;
        return pipe;
      }
      case 'string':
      case 'rawString': {
        const s = unquote(t.val);
        if (s === undefined) this.errorf('invalid syntax');
        return { type: 'string', pos: t.pos, quoted: t.val, text: s };
      }
    }
    this.backup();
    return undefined;
  }
}

/** Parses template text into its tree; throws an INVALID_ARGUMENT BerthError worded like Go's. */
export function parseTree(text: string, functions: ReadonlySet<string>): ListNode {
  return new Parser(text, functions).parse();
}

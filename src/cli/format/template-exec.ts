/**
 * The executor of Go's text/template (src/text/template/exec.go) over JavaScript data: fields
 * of objects are looked up like map keys (a missing key is "no value"), functions found on an
 * object are called like Go methods, variables follow Go's scoping, range visits arrays in order
 * and objects by sorted key. Errors read like Go's:
 * `template: :1:2: executing "" at <index .A 5>: error calling index: index out of range: 5`.
 */
import { BerthError } from '../../engine/errors.js';
import { formatValue, goTypeName, sortedKeys } from './gofmt.js';
import { isMapLike, truth, type ArgKind, type FunctionMap, type TemplateFunction } from './template-functions.js';
import { nodeString, type ArgNode, type BranchNode, type CommandNode, type IdentifierNode, type ListNode, type Node, type PipeNode, type VariableNode } from './template-parser.js';

/** Where no value flows in from the previous command of a pipeline. */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown;
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

type ContextNode = ArgNode | CommandNode | Node;

const KIND_NAMES: Readonly<Record<ArgKind, string>> = { value: 'reflect.Value', any: 'interface {}', string: 'string', int: 'int', strings: '[]string' };

function contextString(n: ContextNode): string {
  switch (n.type) {
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'if':
    case 'range':
    case 'with':
      return `{{${n.type} ${nodeString(n.pipe)}}}`;
    case 'list':
    case 'text':
    case 'break':
    case 'continue':
      return n.type;
  }
  return nodeString(n);
}

/** A JS method found on an object's prototype chain (not Object.prototype's own). */
function findMethod(receiver: object, name: string): ((...args: unknown[]) => unknown) | undefined {
  for (let proto = Object.getPrototypeOf(receiver); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (d && typeof d.value === 'function') return d.value as (...args: unknown[]) => unknown;
  }
  return undefined;
}

/** Runs one parsed template once. */
export class Executor {
  private vars: { name: string; value: unknown }[] = [];

  constructor(
    private readonly text: string,
    private readonly functions: FunctionMap,
    private readonly write: (chunk: string) => void,
  ) {}

  run(root: ListNode, data: unknown): void {
    this.vars = [{ name: '$', value: data }];
    this.walk(data, root);
  }

  private fail(node: ContextNode, message: string, cause?: unknown): never {
    const before = this.text.slice(0, node.pos);
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = before.split('\n').length;
    const col = Buffer.byteLength(before.slice(lineStart));
    const runes = Array.from(contextString(node));
    const context = runes.length > 20 ? runes.slice(0, 20).join('') + '...' : runes.join('');
    throw new BerthError('INVALID_ARGUMENT', `template: :${line}:${col}: executing "" at <${context}>: ${message}`, cause === undefined ? undefined : { cause });
  }

  // --- statements -----------------------------------------------------------------------------

  private walk(dot: unknown, node: Node): void {
    switch (node.type) {
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, value);
        return;
      }
      case 'text':
        return this.write(node.text);
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'if':
      case 'with':
        return this.walkIfOrWith(dot, node);
      case 'range':
        return this.walkRange(dot, node);
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  private printValue(node: ContextNode, value: unknown): void {
    if (typeof value === 'function') this.fail(node, `can't print ${contextString(node)} of type func()`);
    this.write(value === undefined || value === null ? '<no value>' : formatValue(value));
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (truth(value)) this.walk(node.type === 'with' ? value : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: unknown, node: BranchNode): void {
    const mark = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (!this.iterate(node, value)) {
        if (node.elseList) this.walk(dot, node.elseList);
      }
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.vars.length = mark;
    }
  }

  /** Runs the body for each element; false when there was nothing to iterate over. */
  private iterate(node: BranchNode, value: unknown): boolean {
    const step = (index: unknown, elem: unknown): void => this.oneIteration(node, index, elem);
    if (Array.isArray(value)) {
      value.forEach((elem, i) => step(i, elem));
      return value.length > 0;
    }
    if (value === undefined || value === null) return false;
    if (typeof value === 'number' && Number.isInteger(value)) {
      if (node.pipe.decl.length > 1) this.fail(node, `can't use ${value} to iterate over more than one variable`);
      for (let i = 0; i < value; i++) step(i, i);
      return value > 0;
    }
    if (isMapLike(value)) {
      const keys = sortedKeys(value);
      for (const k of keys) step(k, value[k]);
      return keys.length > 0;
    }
    this.fail(node, `range can't iterate over ${formatValue(value)}`);
  }

  private oneIteration(node: BranchNode, index: unknown, elem: unknown): void {
    const { decl, isAssign } = node.pipe;
    const mark = this.vars.length;
    if (decl.length > 0) {
      if (isAssign) this.setVar(decl[0], decl.length > 1 ? index : elem);
      else this.vars[mark - 1].value = elem;
    }
    if (decl.length > 1) {
      if (isAssign) this.setVar(decl[1], elem);
      else this.vars[mark - 2].value = index;
    }
    try {
      this.walk(elem, node.list);
    } catch (e) {
      if (e !== CONTINUE) throw e;
    } finally {
      this.vars.length = mark;
    }
  }

  // --- variables ------------------------------------------------------------------------------

  private varValue(node: VariableNode): unknown {
    const name = node.ident[0];
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    this.fail(node, `undefined variable: ${name}`);
  }

  private setVar(node: VariableNode, value: unknown): void {
    const name = node.ident[0];
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.fail(node, `undefined variable: ${name}`);
  }

  // --- expressions ----------------------------------------------------------------------------

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v, value);
      else this.vars.push({ name: v.ident[0], value });
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[], final: Final, node: ContextNode): void {
    if (args.length > 1 || final !== MISSING) this.fail(node, `can't give argument to non-function ${nodeString(args[0])}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.type) {
      case 'field':
        return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
      case 'chain':
        return this.evalFieldChain(dot, this.evalChainHead(dot, first), first, first.field, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'variable':
        return this.evalVariable(dot, first, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final, first);
        return this.evalPipeline(dot, first);
    }
    this.notAFunction(cmd.args, final, first);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'number':
        return first.value;
      case 'string':
        return first.text;
      case 'nil':
        this.fail(first, 'nil is not a command');
    }
  }

  private evalChainHead(dot: unknown, chain: ArgNode & { type: 'chain' }): unknown {
    if (chain.node.type === 'nil') this.fail(chain, `indirection through explicit nil in ${nodeString(chain)}`);
    return this.evalValue(dot, chain.node);
  }

  private evalVariable(dot: unknown, node: VariableNode, args: readonly ArgNode[], final: Final): unknown {
    const value = this.varValue(node);
    if (node.ident.length === 1) {
      this.notAFunction(args.length ? args : [node], final, node);
      return value;
    }
    return this.evalFieldChain(dot, value, node, node.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: ArgNode, ident: readonly string[], args: readonly ArgNode[], final: Final): unknown {
    for (let i = 0; i < ident.length - 1; i++) receiver = this.evalField(dot, ident[i], node, [], MISSING, receiver);
    return this.evalField(dot, ident[ident.length - 1], node, args, final, receiver);
  }

  private evalField(dot: unknown, name: string, node: ArgNode, args: readonly ArgNode[], final: Final, receiver: unknown): unknown {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(node, `nil pointer evaluating interface {}.${name}`);
    if (isMapLike(receiver)) {
      const own = Object.prototype.hasOwnProperty.call(receiver, name);
      const member = own ? receiver[name] : findMethod(receiver, name);
      if (typeof member === 'function') {
        const method: TemplateFunction = { params: [], variadic: 'value', call: (...a: unknown[]) => member.apply(receiver, a) };
        return this.evalCall(dot, method, node, name, args, final);
      }
      if (args.length > 1 || final !== MISSING) this.fail(node, `${name} is not a method but has arguments`);
      return member;
    }
    this.fail(node, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(dot: unknown, ident: IdentifierNode, cmd: CommandNode | IdentifierNode, args: readonly ArgNode[], final: Final): unknown {
    const fn = this.functions[ident.name];
    if (!fn) this.fail(ident, `${JSON.stringify(ident.name)} is not a defined function`);
    return this.evalCall(dot, fn, cmd, ident.name, args, final);
  }

  /** Calls `fn` with args[1:] (args[0] names it) and the pipeline's final value, if any. */
  private evalCall(dot: unknown, fn: TemplateFunction, node: ContextNode, name: string, args: readonly ArgNode[], final: Final): unknown {
    const argNodes = args.slice(1);
    const numIn = argNodes.length + (final === MISSING ? 0 : 1);
    const numFixed = fn.params.length;
    if (fn.variadic) {
      if (numIn < numFixed) this.fail(node, `wrong number of args for ${name}: want at least ${numFixed} got ${argNodes.length}`);
    } else if (numIn !== numFixed) this.fail(node, `wrong number of args for ${name}: want ${numFixed} got ${numIn}`);

    if (fn.shortCircuit) {
      let v: unknown;
      for (const a of argNodes) {
        v = this.evalValue(dot, a);
        if (truth(v) === (name === 'or')) return v;
      }
      return final === MISSING ? v : final;
    }
    const argv: unknown[] = [];
    argNodes.forEach((a, i) => argv.push(this.evalArg(dot, a, i < numFixed ? fn.params[i] : fn.variadic!)));
    if (final !== MISSING) {
      const kind = numIn - 1 < numFixed ? fn.params[numIn - 1] : fn.variadic!;
      argv.push(this.validateType(node, final, kind));
    }
    try {
      return fn.call(...argv);
    } catch (e) {
      this.fail(node, `error calling ${name}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }

  /** An argument's value, untyped (Go's evalArg with a nil type). */
  private evalValue(dot: unknown, node: ArgNode): unknown {
    switch (node.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldChain(dot, dot, node, node.ident, [node], MISSING);
      case 'variable':
        return this.evalVariable(dot, node, [], MISSING);
      case 'pipe':
        return this.evalPipeline(dot, node);
      case 'identifier':
        return this.evalFunction(dot, node, node, [node], MISSING);
      case 'chain':
        return this.evalFieldChain(dot, this.evalChainHead(dot, node), node, node.field, [node], MISSING);
      case 'bool':
        return node.value;
      case 'number':
        return node.value;
      case 'string':
        return node.text;
    }
  }

  /** An argument checked against the kind the function takes, as Go's evalArg does. */
  private evalArg(dot: unknown, node: ArgNode, kind: ArgKind): unknown {
    switch (node.type) {
      case 'nil':
        if (kind === 'string' || kind === 'int') this.fail(node, `cannot assign nil to ${KIND_NAMES[kind]}`);
        return kind === 'strings' ? [] : null;
      case 'bool':
      case 'number':
      case 'string':
        break;
      default:
        return this.validateType(node, this.evalValue(dot, node), kind);
    }
    switch (kind) {
      case 'value':
      case 'any':
        return node.type === 'string' ? node.text : node.value;
      case 'string':
        if (node.type === 'string') return node.text;
        this.fail(node, `expected string; found ${nodeString(node)}`);
      case 'int':
        if (node.type === 'number' && node.isInt) return node.value;
        this.fail(node, `expected integer; found ${nodeString(node)}`);
      case 'strings':
        this.fail(node, `can't handle ${nodeString(node)} for arg of type []string`);
    }
  }

  private validateType(node: ContextNode, value: unknown, kind: ArgKind): unknown {
    if (value === undefined || value === null) {
      if (kind === 'value') return value;
      if (kind === 'strings') return [];
      if (kind === 'any') return null;
      this.fail(node, `invalid value; expected ${KIND_NAMES[kind]}`);
    }
    switch (kind) {
      case 'value':
      case 'any':
        return value;
      case 'string':
        if (typeof value === 'string') return value;
        break;
      case 'int':
        if (typeof value === 'number' && Number.isInteger(value)) return value;
        break;
      case 'strings':
        if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return value;
        break;
    }
    this.fail(node, `wrong type for value; expected ${KIND_NAMES[kind]}; got ${goTypeName(value)}`);
  }
}

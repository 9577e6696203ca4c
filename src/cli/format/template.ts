/**
 * Go text/template for docker's `--format` flag (https://pkg.go.dev/text/template; docker's
 * functions from docker/cli templates/templates.go). `parseTemplate` checks the whole text up
 * front; `execute` runs it over a value. Both throw an INVALID_ARGUMENT BerthError whose message
 * reads like Go's, so users see what docker would have told them.
 */
import { Executor } from './template-exec.js';
import { defaultFunctions, FUNCTION_NAMES, type FunctionMap } from './template-functions.js';
import { parseTree, type ListNode } from './template-parser.js';

export { headerFunctions, type ArgKind, type FunctionMap, type TemplateFunction } from './template-functions.js';
export { marshalJSON } from './gojson.js';

/** How to run a template. */
export interface ExecuteOptions {
  /** Functions replacing the defaults of the same name (docker swaps in headerFunctions for headers). */
  functions?: FunctionMap;
}

/** A parsed template, ready to run any number of times. */
export class Template {
  /** @internal use parseTemplate */
  constructor(
    private readonly text: string,
    private readonly root: ListNode,
  ) {}

  /** Runs the template over `data` and returns what it printed. */
  execute(data: unknown, options?: ExecuteOptions): string {
    const out: string[] = [];
    this.executeTo((chunk) => out.push(chunk), data, options);
    return out.join('');
  }

  /**
   * Runs the template over `data`, handing each piece of output to `write` as it is produced;
   * when it throws, what was written stays written, as with Go's Execute on a writer.
   */
  executeTo(write: (chunk: string) => void, data: unknown, options: ExecuteOptions = {}): void {
    const functions = options.functions ? { ...defaultFunctions, ...options.functions } : defaultFunctions;
    new Executor(this.text, functions, write).run(this.root, data);
  }
}

/** Parses Go template text; throws with Go's message (`template: :1: unexpected "}" in operand`). */
export function parseTemplate(text: string): Template {
  return new Template(text, parseTree(text, FUNCTION_NAMES));
}

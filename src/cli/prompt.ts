/** Reading an answer from standard input without consuming more than one line's worth of intent. */
import type { Readable } from 'node:stream';

/** Reads one line from `input` (empty when input ends first). */
export function readLine(input: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) finish(text.slice(0, nl));
    };
    const onEnd = (): void => finish(text);
    const finish = (line: string): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      resolve(line);
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}

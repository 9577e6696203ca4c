/** Reading an answer from standard input without consuming more than one line's worth of intent. */
import type { Readable } from 'node:stream';

/** Reads one line from `input` (empty when input ends first). */
export function readLine(input: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) finish(text.slice(0, nl), text.slice(nl + 1));
    };
    const onEnd = (): void => finish(text, '');
    const finish = (line: string, rest: string): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      // What came after the line belongs to the next read (a password after a username, say).
      if (rest) input.unshift(Buffer.from(rest));
      resolve(line);
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}

/** Reads a secret: without echo on a terminal (raw mode), else one plain line. */
export function readSecret(input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void }): Promise<string> {
  if (!input.isTTY || !input.setRawMode) return readLine(input);
  return new Promise((resolve, reject) => {
    let text = '';
    input.setRawMode!(true);
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') {
          input.setRawMode!(false);
          input.off('data', onData);
          return reject(new Error('cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    const finish = (): void => {
      input.setRawMode!(false);
      input.off('data', onData);
      input.pause();
      resolve(text);
    };
    input.on('data', onData);
    input.resume();
  });
}

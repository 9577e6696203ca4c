/**
 * Reference texts made into the Markdown that hover shows and completion items carry, and the small
 * Markdown pieces the other texts are built from.
 */
import type { Doc, Locale } from './types';

/** The Dockerfile reference, whose sections the texts link to. */
export const REFERENCE_URL = 'https://docs.docker.com/reference/dockerfile/';

const WORDS: Record<Locale, { example: string; reference: string }> = {
  en: { example: 'Example:', reference: 'Dockerfile reference' },
  'zh-cn': { example: '示例：', reference: 'Dockerfile 参考文档' },
};

/** `text` as a Markdown code span, whatever backticks it holds. */
export function code(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Lines of Dockerfile as a fenced code block. */
export function dockerfileBlock(lines: readonly string[]): string {
  return ['```dockerfile', ...lines, '```'].join('\n');
}

/** A reference text as Markdown: title, description, syntax, example, link to the reference. */
export function docMarkdown(title: string, doc: Doc, locale: Locale): string {
  const text = doc[locale];
  const words = WORDS[locale];
  return [
    `**${title}**`,
    text.summary,
    dockerfileBlock(text.syntax),
    words.example,
    dockerfileBlock(text.example),
    `[${words.reference}](${REFERENCE_URL}#${doc.anchor})`,
  ].join('\n\n');
}

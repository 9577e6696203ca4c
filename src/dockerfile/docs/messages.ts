/**
 * The texts hover and completion build from what the Dockerfile and the store say: a local image's
 * facts, a build stage, a variable's definition; in English and Simplified Chinese.
 */
import type { VariableDefinition, VisibleVariable } from '../arg-scope';
import type { Stage } from '../ast';
import type { ImageFacts } from '../features/types';
import { humanAge, humanSize } from './human';
import { code } from './render';
import type { Locale } from './types';
import { BUILTIN_ARG_DOCS, BUILTIN_ARG_SCOPE, PROXY_ARG_DOC } from './variables';

/** The short words of completion details and table headings. */
export type Label =
  | 'localImage'
  | 'stage'
  | 'arg'
  | 'env'
  | 'builtin'
  | 'directive'
  | 'flag'
  | 'emptyImage'
  | 'deprecated'
  | 'id'
  | 'size'
  | 'created'
  | 'digest';

/** Short words for completion details and table headings. */
export const LABELS: Readonly<Record<Locale, Readonly<Record<Label, string>>>> = {
  en: {
    localImage: 'local image',
    stage: 'build stage',
    arg: 'build argument (ARG)',
    env: 'environment variable (ENV)',
    builtin: 'platform argument (BuildKit)',
    directive: 'parser directive',
    flag: 'flag',
    emptyImage: 'empty image',
    deprecated: 'deprecated',
    id: 'ID',
    size: 'Size',
    created: 'Created',
    digest: 'Digest',
  },
  'zh-cn': {
    localImage: '本地镜像',
    stage: '构建阶段',
    arg: '构建参数（ARG）',
    env: '环境变量（ENV）',
    builtin: '平台参数（BuildKit 预定义）',
    directive: '解析器指令',
    flag: '参数',
    emptyImage: '空镜像',
    deprecated: '已弃用',
    id: 'ID',
    size: '大小',
    created: '创建时间',
    digest: '摘要',
  },
};

const MAX_VALUE = 200;

function value(text: string): string {
  return code(text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text);
}

function lineOf(range: { start: { line: number } }): number {
  return range.start.line + 1;
}

/** The short image ID docker shows: 12 hex digits of the config digest. */
export function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * What the store knows of the image a FROM names. `written` is the reference as the Dockerfile writes it
 * (with `$variables`), `reference` the one looked up.
 */
export function imageMarkdown(reference: string, written: string, facts: ImageFacts | undefined, locale: Locale): string {
  const l = LABELS[locale];
  const parts = [facts ? `${code(reference)} — ${l.localImage}` : code(reference)];
  if (written !== reference) parts.push(`${code(written)} → ${code(reference)}`);
  if (!facts) {
    parts.push(locale === 'zh-cn' ? '本地存储中没有该镜像，构建时会先拉取它。' : 'Not in the local store: the build will pull it.');
    return parts.join('\n\n');
  }
  const rows = [`| ${l.id} | ${code(shortImageId(facts.id))} |`, `| ${l.size} | ${humanSize(facts.size)} |`];
  const age = facts.created ? humanAge(facts.created, locale) : undefined;
  if (age) rows.push(`| ${l.created} | ${age} |`);
  if (facts.digest) rows.push(`| ${l.digest} | ${code(facts.digest)} |`);
  parts.push(['| | |', '|---|---|', ...rows].join('\n'));
  return parts.join('\n\n');
}

/** The hover of `scratch`. */
export function scratchMarkdown(locale: Locale): string {
  return locale === 'zh-cn'
    ? '`scratch` — 空镜像：该阶段从一个空的文件系统开始。'
    : '`scratch` — the empty image: the stage starts from an empty filesystem.';
}

/**
 * Which stage `stage` is and what it is built on: `baseStage` when its base is an earlier stage, else
 * `image` (the base with the global ARGs substituted, when known).
 */
export function stageMarkdown(stage: Stage, baseStage: Stage | undefined, locale: Locale, image: string = stage.image): string {
  const line = lineOf(stage.from.keywordRange);
  const zh = locale === 'zh-cn';
  const title = stage.name !== undefined
    ? zh ? `**构建阶段 ${code(stage.name)}**（序号 ${stage.index}，第 ${line} 行）` : `**Build stage ${code(stage.name)}** (index ${stage.index}, line ${line})`
    : zh ? `**构建阶段 ${stage.index}**（第 ${line} 行）` : `**Build stage ${stage.index}** (line ${line})`;
  let base: string;
  if (baseStage) base = zh ? `基于构建阶段 ${code(baseStage.name ?? String(baseStage.index))}` : `Based on build stage ${code(baseStage.name ?? String(baseStage.index))}`;
  else if (image.toLowerCase() === 'scratch') base = zh ? '基于空镜像 `scratch`' : 'Based on the empty image `scratch`';
  else if (image === '') base = zh ? '尚未指定基础镜像' : 'No base image yet';
  else {
    const written = image !== stage.image ? `（${code(stage.image)}）` : '';
    base = zh ? `基于镜像 ${code(image)}${written}` : `Based on image ${code(image)}${written && ` (${code(stage.image)})`}`;
  }
  return `${title}\n\n${base}`;
}

/** Where a visible variable comes from and what it holds. */
export function variableMarkdown(v: VisibleVariable, locale: Locale): string {
  const zh = locale === 'zh-cn';
  const l = LABELS[locale];
  if (v.kind === 'builtin') {
    const what = BUILTIN_ARG_DOCS[v.name]?.[locale] ?? '';
    return `**${v.name}** — ${l.builtin}\n\n${what}\n\n${BUILTIN_ARG_SCOPE[locale]}`;
  }
  const d = v.definition;
  const kind = v.kind === 'env' ? l.env : l.arg;
  const title = d ? `**${v.name}** — ${kind}${zh ? `，第 ${lineOf(d.range)} 行` : `, line ${lineOf(d.range)}`}` : `**${v.name}** — ${kind}`;
  let body: string;
  if (d?.rawValue !== undefined) body = v.kind === 'env' ? `${zh ? '值：' : 'Value: '}${value(d.rawValue)}` : `${zh ? '默认值：' : 'Default: '}${value(d.rawValue)}`;
  else if (v.globalDefault?.rawValue !== undefined) {
    const at = lineOf(v.globalDefault.range);
    body = zh
      ? `未给出默认值，使用第 ${at} 行全局 ARG 的默认值：${value(v.globalDefault.rawValue)}`
      : `No default here; takes the default of the global ARG on line ${at}: ${value(v.globalDefault.rawValue)}`;
  } else body = zh ? '没有默认值：除非用 `--build-arg` 指定，否则为空。' : 'No default value: empty unless set with `--build-arg`.';
  return `${title}\n\n${body}`;
}

/** A proxy ARG used in RUN without an ARG instruction. */
export function proxyVariableMarkdown(name: string, locale: Locale): string {
  return `**${name}**\n\n${PROXY_ARG_DOC[locale]}`;
}

/**
 * A global ARG (or a platform ARG) used in a stage that has not declared it: inside a stage it is empty
 * until `ARG <name>` brings it in. https://docs.docker.com/reference/dockerfile/#scope
 */
export function undeclaredInStageMarkdown(name: string, global: VariableDefinition | undefined, locale: Locale): string {
  const zh = locale === 'zh-cn';
  const what = global
    ? zh ? `第 ${lineOf(global.range)} 行的全局 ARG` : `a global ARG (line ${lineOf(global.range)})`
    : zh ? 'BuildKit 预定义的平台参数' : 'a platform argument BuildKit defines';
  return zh
    ? `**${name}** — ${what}，但本阶段没有声明它，这里会展开为空字符串。请先在本阶段写 ${code(`ARG ${name}`)}。`
    : `**${name}** — ${what}, but this stage does not declare it, so here it expands to an empty string. Add ${code(`ARG ${name}`)} to the stage first.`;
}

/** A variable an expanding instruction uses that no ARG or ENV before it defines. */
export function undefinedVariableMarkdown(name: string, locale: Locale): string {
  return locale === 'zh-cn'
    ? `**${name}** — 在此处之前没有 ARG 或 ENV 定义它：除非基础镜像的环境中有它，否则展开为空字符串。`
    : `**${name}** — no ARG or ENV defines it before this line: unless the base image's environment sets it, it expands to an empty string.`;
}

/** The line of a completion detail for a variable: its value, or what it is. */
export function variableDetail(v: VisibleVariable, locale: Locale): string {
  const raw = v.definition?.rawValue ?? v.globalDefault?.rawValue;
  if (raw !== undefined) return raw.length > MAX_VALUE ? `${raw.slice(0, MAX_VALUE)}…` : raw;
  return LABELS[locale][v.kind];
}

/**
 * What the variables BuildKit defines by itself mean: the platform ARGs (global scope) and the proxy
 * ARGs (passed to RUN). https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope
 * https://docs.docker.com/reference/dockerfile/#predefined-args
 */
import type { Locale } from './types';

/** One line about each platform ARG. */
export const BUILTIN_ARG_DOCS: Readonly<Record<string, Record<Locale, string>>> = {
  TARGETPLATFORM: {
    en: 'The platform of the build result, e.g. `linux/amd64` or `linux/arm/v7`.',
    'zh-cn': '构建结果的目标平台，例如 `linux/amd64` 或 `linux/arm/v7`。',
  },
  TARGETOS: { en: 'The OS part of TARGETPLATFORM, e.g. `linux`.', 'zh-cn': 'TARGETPLATFORM 中的操作系统部分，例如 `linux`。' },
  TARGETARCH: {
    en: 'The architecture part of TARGETPLATFORM, e.g. `amd64` or `arm64`.',
    'zh-cn': 'TARGETPLATFORM 中的架构部分，例如 `amd64` 或 `arm64`。',
  },
  TARGETVARIANT: { en: 'The variant part of TARGETPLATFORM, e.g. `v7`.', 'zh-cn': 'TARGETPLATFORM 中的变体部分，例如 `v7`。' },
  BUILDPLATFORM: {
    en: 'The platform of the machine that runs the build, e.g. `linux/amd64`.',
    'zh-cn': '执行构建的机器所在的平台，例如 `linux/amd64`。',
  },
  BUILDOS: { en: 'The OS part of BUILDPLATFORM, e.g. `linux`.', 'zh-cn': 'BUILDPLATFORM 中的操作系统部分，例如 `linux`。' },
  BUILDARCH: { en: 'The architecture part of BUILDPLATFORM, e.g. `amd64`.', 'zh-cn': 'BUILDPLATFORM 中的架构部分，例如 `amd64`。' },
  BUILDVARIANT: { en: 'The variant part of BUILDPLATFORM, e.g. `v7`.', 'zh-cn': 'BUILDPLATFORM 中的变体部分，例如 `v7`。' },
};

/** How the platform ARGs are scoped. */
export const BUILTIN_ARG_SCOPE: Readonly<Record<Locale, string>> = {
  en: 'Set by BuildKit in the global scope: usable in FROM lines as is; inside a stage, declare it first with `ARG <name>`.',
  'zh-cn': '由 BuildKit 在全局作用域中自动定义：可以直接在 FROM 行中使用；在阶段内使用前需要先用 `ARG <名称>` 声明。',
};

/** What the proxy ARGs are. */
export const PROXY_ARG_DOC: Readonly<Record<Locale, string>> = {
  en: 'Predefined proxy argument: a `--build-arg` of this name reaches RUN without an ARG instruction, and is left out of the image history.',
  'zh-cn': '预定义的代理参数：用 `--build-arg` 指定后，无需 ARG 指令即可在 RUN 中使用，并且不会记录到镜像历史中。',
};

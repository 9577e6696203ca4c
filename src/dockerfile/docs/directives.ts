/**
 * The reference texts of the parser directives (`# name=value` lines at the very top of a Dockerfile), in
 * English and Simplified Chinese. https://docs.docker.com/reference/dockerfile/#parser-directives
 */
import type { Directive } from '../ast';
import type { Doc } from './types';

/** Every directive's text, by lower-case name. */
export const DIRECTIVE_DOCS: Readonly<Record<Directive['name'], Doc>> = {
  syntax: {
    anchor: 'syntax',
    en: {
      summary:
        'Parser directive. Names the Dockerfile frontend (the version of the Dockerfile syntax) that BuildKit builds this file with, as an image reference; `docker/dockerfile:1` follows the latest stable 1.x release. Directives must come first in the file, before any instruction, comment or empty line.',
      syntax: ['# syntax=<frontend image>'],
      example: ['# syntax=docker/dockerfile:1', 'FROM alpine:3.20'],
    },
    'zh-cn': {
      summary:
        '解析器指令。以镜像引用的形式指定 BuildKit 构建本文件时使用的 Dockerfile 前端（即 Dockerfile 语法的版本）；`docker/dockerfile:1` 会跟随 1.x 的最新稳定版。解析器指令必须写在文件最前面，位于任何指令、注释和空行之前。',
      syntax: ['# syntax=<前端镜像>'],
      example: ['# syntax=docker/dockerfile:1', 'FROM alpine:3.20'],
    },
  },
  escape: {
    anchor: 'escape',
    en: {
      summary:
        'Parser directive. Sets the character that escapes characters and continues lines: `\\` (the default) or `` ` ``. The backtick suits Windows, where `\\` separates path components. Directives must come first in the file.',
      syntax: ['# escape=\\', '# escape=`'],
      example: ['# escape=`', 'FROM mcr.microsoft.com/windows/servercore:ltsc2022', 'COPY app C:\\app', 'RUN dir C:\\app `', '    && echo done'],
    },
    'zh-cn': {
      summary:
        '解析器指令。设置用来转义字符和续行的字符：`\\`（默认）或 `` ` ``。在 Windows 上 `\\` 是路径分隔符，此时改用反引号更方便。解析器指令必须写在文件最前面。',
      syntax: ['# escape=\\', '# escape=`'],
      example: ['# escape=`', 'FROM mcr.microsoft.com/windows/servercore:ltsc2022', 'COPY app C:\\app', 'RUN dir C:\\app `', '    && echo done'],
    },
  },
  check: {
    anchor: 'check',
    en: {
      summary:
        'Parser directive. Configures the build checks: `skip=` lists the checks to skip (comma-separated, or `all`), and `error=true` makes the build fail when a check finds a problem. The `BUILDKIT_DOCKERFILE_CHECK` build argument does the same from the command line.',
      syntax: ['# check=skip=<checks|all>', '# check=error=<boolean>', '# check=skip=<checks>;error=<boolean>'],
      example: ['# check=skip=JSONArgsRecommended,StageNameCasing;error=true', 'FROM alpine:3.20'],
    },
    'zh-cn': {
      summary:
        '解析器指令。配置构建检查：`skip=` 列出要跳过的检查（用逗号分隔，或写 `all` 全部跳过），`error=true` 让检查发现问题时构建失败。在命令行上也可以用构建参数 `BUILDKIT_DOCKERFILE_CHECK` 达到同样效果。',
      syntax: ['# check=skip=<检查名|all>', '# check=error=<布尔值>', '# check=skip=<检查名>;error=<布尔值>'],
      example: ['# check=skip=JSONArgsRecommended,StageNameCasing;error=true', 'FROM alpine:3.20'],
    },
  },
};

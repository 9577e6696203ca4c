/**
 * The reference texts of the instruction flags (`--name=value` before the arguments), in English and
 * Simplified Chinese, after the Dockerfile reference (https://docs.docker.com/reference/dockerfile/).
 */
import type { Doc } from './types';

type CopyKeyword = 'ADD' | 'COPY';

/** `--chown` of ADD and COPY. */
function chown(k: CopyKeyword): Doc {
  return {
    anchor: `${k.toLowerCase()}---chown---chmod`,
    en: {
      summary:
        'Sets the owner and group of the copied files, by name or by numeric ID. Names are looked up in the image\'s /etc/passwd and /etc/group. Without it, files belong to root (UID 0, GID 0). Linux containers only.',
      syntax: [`${k} --chown=<user>[:<group>] <src> ... <dest>`],
      example: [`${k} --chown=app:app config/ /etc/app/`, `${k} --chown=10001 app.jar /opt/app/`],
    },
    'zh-cn': {
      summary:
        '设置复制后文件的属主和属组，可以写名称或数字 ID。名称会在镜像的 /etc/passwd 和 /etc/group 中查找。不写时文件属于 root（UID 0、GID 0）。仅适用于 Linux 容器。',
      syntax: [`${k} --chown=<用户>[:<用户组>] <源> ... <目标>`],
      example: [`${k} --chown=app:app config/ /etc/app/`, `${k} --chown=10001 app.jar /opt/app/`],
    },
  };
}

/** `--chmod` of ADD and COPY. */
function chmod(k: CopyKeyword): Doc {
  return {
    anchor: `${k.toLowerCase()}---chown---chmod`,
    en: {
      summary:
        'Sets the permissions of the copied files, as an octal mode (`755`) or, with recent syntax versions, symbolically (`u=rwx,go=rx`). Without it, the permissions of the source are kept. Linux containers only.',
      syntax: [`${k} --chmod=<permissions> <src> ... <dest>`],
      example: [`${k} --chmod=755 entrypoint.sh /usr/local/bin/`],
    },
    'zh-cn': {
      summary:
        '设置复制后文件的权限，写成八进制（`755`），较新的语法版本也支持符号形式（`u=rwx,go=rx`）。不写时保留源文件的权限。仅适用于 Linux 容器。',
      syntax: [`${k} --chmod=<权限> <源> ... <目标>`],
      example: [`${k} --chmod=755 entrypoint.sh /usr/local/bin/`],
    },
  };
}

/** `--link` of ADD and COPY. */
function link(k: CopyKeyword): Doc {
  return {
    anchor: `${k.toLowerCase()}---link`,
    en: {
      summary:
        'Puts the copied files in a layer of their own that does not depend on the layers below it. The step stays cached when earlier layers change, and the layer can be reused as is when the image is rebased. Use it when the result does not depend on what the destination already holds.',
      syntax: [`${k} --link[=<boolean>] <src> ... <dest>`],
      example: [`${k} --link config/ /etc/app/`],
    },
    'zh-cn': {
      summary:
        '把复制的文件放进一个独立的层，不依赖它下面的各层。这样前面的层变化时这一步仍能命中缓存，镜像变基（rebase）时这一层也能直接复用。适用于结果不依赖目标位置已有内容的情况。',
      syntax: [`${k} --link[=<布尔值>] <源> ... <目标>`],
      example: [`${k} --link config/ /etc/app/`],
    },
  };
}

/** `--exclude` of ADD and COPY. */
function exclude(k: CopyKeyword): Doc {
  return {
    anchor: `${k.toLowerCase()}---exclude`,
    en: {
      summary:
        'Leaves out the files that match a pattern (written like the patterns of .dockerignore). Repeat the flag for several patterns. Generally available since Dockerfile syntax 1.19; before, in the labs channel only.',
      syntax: [`${k} --exclude=<pattern> [--exclude=<pattern> ...] <src> ... <dest>`],
      example: [`${k} --exclude=*.md --exclude=test/ . /app/`],
    },
    'zh-cn': {
      summary: '排除与模式匹配的文件（模式写法与 .dockerignore 相同）。有多个模式时重复使用该参数。自 Dockerfile 语法 1.19 起正式可用，之前只在 labs 通道中提供。',
      syntax: [`${k} --exclude=<模式> [--exclude=<模式> ...] <源> ... <目标>`],
      example: [`${k} --exclude=*.md --exclude=test/ . /app/`],
    },
  };
}

/** Every flag's text, by `KEYWORD --name` (e.g. `RUN --mount`). */
export const FLAG_DOCS: Readonly<Record<string, Doc>> = {
  'FROM --platform': {
    anchor: 'from',
    en: {
      summary:
        'Chooses which platform of a multi-platform image to use, e.g. `linux/amd64` or `linux/arm64/v8`. Without it, the target platform of the build is used. With the platform ARGs it makes cross-compiling easy: `--platform=$BUILDPLATFORM` runs the stage natively on the machine that builds.',
      syntax: ['FROM --platform=<platform> <image> [AS <name>]'],
      example: ['FROM --platform=$BUILDPLATFORM golang:1.22 AS build', 'ARG TARGETOS TARGETARCH', 'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .'],
    },
    'zh-cn': {
      summary:
        '当镜像是多平台镜像时，选择使用哪个平台的版本，例如 `linux/amd64` 或 `linux/arm64/v8`。不写时使用本次构建的目标平台。配合平台相关的 ARG 可以方便地交叉编译：`--platform=$BUILDPLATFORM` 让该阶段在执行构建的机器上原生运行。',
      syntax: ['FROM --platform=<平台> <镜像> [AS <名称>]'],
      example: ['FROM --platform=$BUILDPLATFORM golang:1.22 AS build', 'ARG TARGETOS TARGETARCH', 'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .'],
    },
  },
  'RUN --mount': {
    anchor: 'run---mount',
    en: {
      summary:
        'Mounts a filesystem for this RUN only; nothing under the mount ends up in the layer. Types: `bind` (the default: files of the context, a stage or an image, read-only unless `rw`), `cache` (a directory kept between builds, for package managers and compilers), `tmpfs`, `secret` (a secret file that never enters the image) and `ssh` (the SSH agent socket). Repeat the flag for several mounts.',
      syntax: ['RUN --mount=[type=<bind|cache|tmpfs|secret|ssh>][,<option>=<value> ...] <command>'],
      example: ['RUN --mount=type=cache,target=/root/.cache/go-build \\', '    --mount=type=secret,id=netrc,target=/root/.netrc \\', '    go build -o /out/app .'],
    },
    'zh-cn': {
      summary:
        '只为这一条 RUN 挂载文件系统，挂载点下的内容不会写入镜像层。类型有：`bind`（默认，挂载构建上下文、某个阶段或镜像中的文件，除非加 `rw` 否则只读）、`cache`（在多次构建之间保留的目录，适合包管理器和编译器的缓存）、`tmpfs`、`secret`（机密文件，永远不会进入镜像）和 `ssh`（SSH agent 套接字）。需要多个挂载时重复使用该参数。',
      syntax: ['RUN --mount=[type=<bind|cache|tmpfs|secret|ssh>][,<选项>=<值> ...] <命令>'],
      example: ['RUN --mount=type=cache,target=/root/.cache/go-build \\', '    --mount=type=secret,id=netrc,target=/root/.netrc \\', '    go build -o /out/app .'],
    },
  },
  'RUN --network': {
    anchor: 'run---network',
    en: {
      summary:
        'Chooses the network the command runs in: `default` (the normal network), `none` (no network at all, only loopback) or `host` (the host\'s network; the build must be granted the `network.host` entitlement).',
      syntax: ['RUN --network=<default|none|host> <command>'],
      example: ['RUN --network=none pip install --no-index --find-links=/wheels app'],
    },
    'zh-cn': {
      summary: '选择命令运行时使用的网络：`default`（正常网络）、`none`（完全没有网络，只有回环接口）或 `host`（使用宿主机网络，构建必须被授予 `network.host` 权限）。',
      syntax: ['RUN --network=<default|none|host> <命令>'],
      example: ['RUN --network=none pip install --no-index --find-links=/wheels app'],
    },
  },
  'RUN --security': {
    anchor: 'run---security',
    en: {
      summary:
        '`insecure` runs the command outside the sandbox, like a privileged container (for example to mount filesystems); the build must be granted the `security.insecure` entitlement. `sandbox`, the default, keeps the sandbox. Generally available since Dockerfile syntax 1.20; before, in the labs channel only.',
      syntax: ['RUN --security=<sandbox|insecure> <command>'],
      example: ['RUN --security=insecure mount -t tmpfs none /mnt && ls /mnt'],
    },
    'zh-cn': {
      summary:
        '`insecure` 让命令在沙箱之外运行，相当于特权容器（例如需要挂载文件系统时）；构建必须被授予 `security.insecure` 权限。默认值 `sandbox` 保持在沙箱中运行。自 Dockerfile 语法 1.20 起正式可用，之前只在 labs 通道中提供。',
      syntax: ['RUN --security=<sandbox|insecure> <命令>'],
      example: ['RUN --security=insecure mount -t tmpfs none /mnt && ls /mnt'],
    },
  },
  'ADD --chown': chown('ADD'),
  'ADD --chmod': chmod('ADD'),
  'ADD --link': link('ADD'),
  'ADD --keep-git-dir': {
    anchor: 'add---keep-git-dir',
    en: {
      summary: 'When the source is a Git repository, keeps its `.git` directory in the copy; by default it is left out.',
      syntax: ['ADD --keep-git-dir[=<boolean>] <git ref> <dest>'],
      example: ['ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.14.0 /src/buildkit'],
    },
    'zh-cn': {
      summary: '源是 Git 仓库时，在复制结果中保留它的 `.git` 目录；默认不保留。',
      syntax: ['ADD --keep-git-dir[=<布尔值>] <Git 地址> <目标>'],
      example: ['ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.14.0 /src/buildkit'],
    },
  },
  'ADD --checksum': {
    anchor: 'add---checksum',
    en: {
      summary:
        'Checks the digest of a remote source, such as `sha256:<hex>`: the build fails when the downloaded content does not match. For HTTP(S) sources (recent syntax versions also check the commit of a Git source).',
      syntax: ['ADD --checksum=<algorithm>:<hash> <url> <dest>'],
      example: ['ADD --checksum=sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 \\', '    https://example.com/tool.tar.gz /opt/'],
    },
    'zh-cn': {
      summary: '校验远程源的摘要，例如 `sha256:<十六进制值>`：下载的内容与之不符时构建失败。适用于 HTTP(S) 源（较新的语法版本也能校验 Git 源的提交）。',
      syntax: ['ADD --checksum=<算法>:<哈希值> <URL> <目标>'],
      example: ['ADD --checksum=sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 \\', '    https://example.com/tool.tar.gz /opt/'],
    },
  },
  'ADD --exclude': exclude('ADD'),
  'COPY --from': {
    anchor: 'copy---from',
    en: {
      summary:
        'Copies from an earlier build stage (by name or by index, starting at 0), from an image (`name:tag`) or from a named build context, instead of from the build context.',
      syntax: ['COPY --from=<stage|image|context> <src> ... <dest>'],
      example: ['COPY --from=build /out/app /usr/local/bin/app', 'COPY --from=nginx:alpine /etc/nginx/nginx.conf /etc/nginx/'],
    },
    'zh-cn': {
      summary: '不从构建上下文复制，而是从前面的某个构建阶段（写名称，或从 0 开始的序号）、某个镜像（`名称:标签`）或命名的构建上下文中复制。',
      syntax: ['COPY --from=<阶段|镜像|上下文> <源> ... <目标>'],
      example: ['COPY --from=build /out/app /usr/local/bin/app', 'COPY --from=nginx:alpine /etc/nginx/nginx.conf /etc/nginx/'],
    },
  },
  'COPY --chown': chown('COPY'),
  'COPY --chmod': chmod('COPY'),
  'COPY --link': link('COPY'),
  'COPY --parents': {
    anchor: 'copy---parents',
    en: {
      summary:
        'Keeps the parent directories of each source under the destination: `COPY --parents a/b/c.txt /dst/` creates `/dst/a/b/c.txt`. A `./` inside a source marks where the kept part starts. Generally available since Dockerfile syntax 1.20; before, in the labs channel only.',
      syntax: ['COPY --parents[=<boolean>] <src> ... <dest>'],
      example: ['COPY --parents packages/*/package.json /app/', 'COPY --parents ./src/./lib/*.js /app/'],
    },
    'zh-cn': {
      summary:
        '在目标位置下保留每个源路径的父目录：`COPY --parents a/b/c.txt /dst/` 会生成 `/dst/a/b/c.txt`。源路径中的 `./` 标记从哪一级开始保留。自 Dockerfile 语法 1.20 起正式可用，之前只在 labs 通道中提供。',
      syntax: ['COPY --parents[=<布尔值>] <源> ... <目标>'],
      example: ['COPY --parents packages/*/package.json /app/', 'COPY --parents ./src/./lib/*.js /app/'],
    },
  },
  'COPY --exclude': exclude('COPY'),
  'HEALTHCHECK --interval': {
    anchor: 'healthcheck',
    en: {
      summary: 'Time between two checks, counted from the end of the start period. Default: `30s`.',
      syntax: ['HEALTHCHECK --interval=<duration> CMD <command>'],
      example: ['HEALTHCHECK --interval=1m CMD wget -qO- http://localhost:8080/health || exit 1'],
    },
    'zh-cn': {
      summary: '两次检查之间的间隔，从启动期结束后开始计算。默认 `30s`。',
      syntax: ['HEALTHCHECK --interval=<时长> CMD <命令>'],
      example: ['HEALTHCHECK --interval=1m CMD wget -qO- http://localhost:8080/health || exit 1'],
    },
  },
  'HEALTHCHECK --timeout': {
    anchor: 'healthcheck',
    en: {
      summary: 'How long one check may run; a check that takes longer counts as failed. Default: `30s`.',
      syntax: ['HEALTHCHECK --timeout=<duration> CMD <command>'],
      example: ['HEALTHCHECK --timeout=5s CMD pg_isready -U postgres'],
    },
    'zh-cn': {
      summary: '单次检查允许运行的最长时间，超时即算作一次失败。默认 `30s`。',
      syntax: ['HEALTHCHECK --timeout=<时长> CMD <命令>'],
      example: ['HEALTHCHECK --timeout=5s CMD pg_isready -U postgres'],
    },
  },
  'HEALTHCHECK --start-period': {
    anchor: 'healthcheck',
    en: {
      summary:
        'Time a slow container gets to start up: failed checks during this period do not count towards `--retries`, but one success ends the period and marks the container healthy. Default: `0s`.',
      syntax: ['HEALTHCHECK --start-period=<duration> CMD <command>'],
      example: ['HEALTHCHECK --start-period=2m CMD curl -f http://localhost:8080/ || exit 1'],
    },
    'zh-cn': {
      summary: '给启动较慢的容器留出的初始化时间：这段时间内检查失败不计入 `--retries` 次数，但只要有一次成功，启动期就结束，容器被标记为健康。默认 `0s`。',
      syntax: ['HEALTHCHECK --start-period=<时长> CMD <命令>'],
      example: ['HEALTHCHECK --start-period=2m CMD curl -f http://localhost:8080/ || exit 1'],
    },
  },
  'HEALTHCHECK --start-interval': {
    anchor: 'healthcheck',
    en: {
      summary: 'Time between two checks during the start period. Default: `5s`. Needs Docker Engine 25.0 or later.',
      syntax: ['HEALTHCHECK --start-interval=<duration> CMD <command>'],
      example: ['HEALTHCHECK --start-period=1m --start-interval=2s CMD curl -f http://localhost/ || exit 1'],
    },
    'zh-cn': {
      summary: '启动期内两次检查之间的间隔。默认 `5s`。需要 Docker Engine 25.0 或更高版本。',
      syntax: ['HEALTHCHECK --start-interval=<时长> CMD <命令>'],
      example: ['HEALTHCHECK --start-period=1m --start-interval=2s CMD curl -f http://localhost/ || exit 1'],
    },
  },
  'HEALTHCHECK --retries': {
    anchor: 'healthcheck',
    en: {
      summary: 'How many failed checks in a row mark the container unhealthy. Default: `3`.',
      syntax: ['HEALTHCHECK --retries=<N> CMD <command>'],
      example: ['HEALTHCHECK --retries=5 CMD redis-cli ping || exit 1'],
    },
    'zh-cn': {
      summary: '连续失败多少次后把容器标记为 unhealthy（不健康）。默认 `3`。',
      syntax: ['HEALTHCHECK --retries=<次数> CMD <命令>'],
      example: ['HEALTHCHECK --retries=5 CMD redis-cli ping || exit 1'],
    },
  },
};

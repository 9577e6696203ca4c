/**
 * The reference texts of the Dockerfile instructions, in English and Simplified Chinese, written after
 * the Dockerfile reference (https://docs.docker.com/reference/dockerfile/).
 */
import type { Doc } from './types';

/** Every instruction's text, by upper-case keyword. */
export const INSTRUCTION_DOCS: Readonly<Record<string, Doc>> = {
  FROM: {
    anchor: 'from',
    en: {
      summary:
        'Starts a new build stage on top of a base image, an earlier stage, or `scratch` (an empty filesystem). A Dockerfile must start with FROM; only parser directives, comments and global ARGs may come before it. Name the stage with `AS <name>` to use it later in `FROM` or `COPY --from`.',
      syntax: [
        'FROM [--platform=<platform>] <image> [AS <name>]',
        'FROM [--platform=<platform>] <image>[:<tag>] [AS <name>]',
        'FROM [--platform=<platform>] <image>[@<digest>] [AS <name>]',
      ],
      example: ['FROM golang:1.22 AS build', 'RUN go build -o /out/app .', '', 'FROM alpine:3.20', 'COPY --from=build /out/app /usr/local/bin/app'],
    },
    'zh-cn': {
      summary:
        '以一个基础镜像、前面的某个构建阶段或 `scratch`（空文件系统）为起点，开始一个新的构建阶段。Dockerfile 必须以 FROM 开头，在它之前只能有解析器指令、注释和全局 ARG。用 `AS <名称>` 给阶段命名后，就可以在后面的 `FROM` 或 `COPY --from` 中引用它。',
      syntax: [
        'FROM [--platform=<平台>] <镜像> [AS <名称>]',
        'FROM [--platform=<平台>] <镜像>[:<标签>] [AS <名称>]',
        'FROM [--platform=<平台>] <镜像>[@<摘要>] [AS <名称>]',
      ],
      example: ['FROM golang:1.22 AS build', 'RUN go build -o /out/app .', '', 'FROM alpine:3.20', 'COPY --from=build /out/app /usr/local/bin/app'],
    },
  },
  RUN: {
    anchor: 'run',
    en: {
      summary:
        'Runs a command on top of the current image and commits the result as a new layer. The shell form runs the command with the default shell (`/bin/sh -c` on Linux; see SHELL). The exec form runs the program directly, without a shell, so `$VARIABLES` in it are not substituted.',
      syntax: ['RUN [OPTIONS] <command> ...', 'RUN [OPTIONS] ["<executable>", "<param>", ...]'],
      example: ['RUN apt-get update \\', '    && apt-get install -y --no-install-recommends curl \\', '    && rm -rf /var/lib/apt/lists/*'],
    },
    'zh-cn': {
      summary:
        '在当前镜像之上执行一条命令，并把结果提交为新的一层。shell 形式用默认 shell 执行命令（Linux 上是 `/bin/sh -c`，可用 SHELL 修改）；exec 形式直接运行程序、不经过 shell，因此其中的 `$变量` 不会被替换。',
      syntax: ['RUN [选项] <命令> ...', 'RUN [选项] ["<可执行文件>", "<参数>", ...]'],
      example: ['RUN apt-get update \\', '    && apt-get install -y --no-install-recommends curl \\', '    && rm -rf /var/lib/apt/lists/*'],
    },
  },
  CMD: {
    anchor: 'cmd',
    en: {
      summary:
        'Sets the default command of containers started from the image; arguments given to `docker run` replace it. If there are several CMD instructions, only the last one takes effect. With an ENTRYPOINT, the exec form of CMD gives its default arguments.',
      syntax: ['CMD ["<executable>", "<param>", ...]', 'CMD ["<param>", ...]', 'CMD <command> <param> ...'],
      example: ['CMD ["nginx", "-g", "daemon off;"]'],
    },
    'zh-cn': {
      summary:
        '设置由该镜像启动的容器默认执行的命令；`docker run` 后面给出的参数会替换它。有多条 CMD 时只有最后一条生效。如果同时设置了 ENTRYPOINT，exec 形式的 CMD 就作为 ENTRYPOINT 的默认参数。',
      syntax: ['CMD ["<可执行文件>", "<参数>", ...]', 'CMD ["<参数>", ...]', 'CMD <命令> <参数> ...'],
      example: ['CMD ["nginx", "-g", "daemon off;"]'],
    },
  },
  LABEL: {
    anchor: 'label',
    en: {
      summary:
        'Adds metadata to the image as key-value pairs. Labels of the base image are inherited, and a later value for the same key replaces the earlier one. `docker image inspect` shows them.',
      syntax: ['LABEL <key>=<value> [<key>=<value> ...]'],
      example: ['LABEL org.opencontainers.image.source="https://github.com/example/app" \\', '      org.opencontainers.image.version="1.0.0"'],
    },
    'zh-cn': {
      summary: '以键值对的形式为镜像添加元数据。基础镜像的标签会被继承，同一个键以最后写的值为准。可以用 `docker image inspect` 查看。',
      syntax: ['LABEL <键>=<值> [<键>=<值> ...]'],
      example: ['LABEL org.opencontainers.image.source="https://github.com/example/app" \\', '      org.opencontainers.image.version="1.0.0"'],
    },
  },
  MAINTAINER: {
    anchor: 'maintainer-deprecated',
    en: {
      summary: 'Deprecated. Sets the Author field of the image. Use a label instead, which is more flexible: `LABEL org.opencontainers.image.authors="..."`.',
      syntax: ['MAINTAINER <name>'],
      example: ['# instead of: MAINTAINER Jane Doe <jane@example.com>', 'LABEL org.opencontainers.image.authors="jane@example.com"'],
    },
    'zh-cn': {
      summary: '已弃用。设置镜像的 Author（作者）字段。请改用更灵活的标签：`LABEL org.opencontainers.image.authors="..."`。',
      syntax: ['MAINTAINER <姓名>'],
      example: ['# 不要再写：MAINTAINER Jane Doe <jane@example.com>', 'LABEL org.opencontainers.image.authors="jane@example.com"'],
    },
  },
  EXPOSE: {
    anchor: 'expose',
    en: {
      summary:
        'Records the network ports the container listens on: TCP by default, UDP with `/udp`. It does not publish them; publish them with `docker run -p` (or `-P` for every exposed port).',
      syntax: ['EXPOSE <port>[/<protocol>] [<port>[/<protocol>] ...]'],
      example: ['EXPOSE 80 443/tcp 53/udp'],
    },
    'zh-cn': {
      summary: '声明容器运行时监听的网络端口：默认是 TCP，加 `/udp` 表示 UDP。它并不会真正发布端口，发布要用 `docker run -p`（`-P` 会发布所有声明的端口）。',
      syntax: ['EXPOSE <端口>[/<协议>] [<端口>[/<协议>] ...]'],
      example: ['EXPOSE 80 443/tcp 53/udp'],
    },
  },
  ENV: {
    anchor: 'env',
    en: {
      summary:
        'Sets environment variables. They apply to the following instructions of the stage and of stages built from it, and they stay in the image, so containers started from it see them too. For a value needed only while building, use ARG.',
      syntax: ['ENV <key>=<value> [<key>=<value> ...]'],
      example: ['ENV NODE_ENV=production \\', '    PATH="/app/bin:$PATH"'],
    },
    'zh-cn': {
      summary:
        '设置环境变量。它对本阶段及以本阶段为基础的阶段中后续的指令都有效，并会保存在镜像里，由镜像启动的容器同样能读到。只在构建时需要的值请改用 ARG。',
      syntax: ['ENV <键>=<值> [<键>=<值> ...]'],
      example: ['ENV NODE_ENV=production \\', '    PATH="/app/bin:$PATH"'],
    },
  },
  ADD: {
    anchor: 'add',
    en: {
      summary:
        'Copies files, directories, remote URLs or Git repositories into the image. A local tar archive (uncompressed, gzip, bzip2 or xz) is unpacked at the destination; a file downloaded from a URL is not. To copy local files as they are, prefer COPY, which does less.',
      syntax: ['ADD [OPTIONS] <src> ... <dest>', 'ADD [OPTIONS] ["<src>", ... "<dest>"]'],
      example: ['ADD rootfs.tar.xz /', 'ADD https://github.com/moby/buildkit.git#v0.14.0 /src/buildkit'],
    },
    'zh-cn': {
      summary:
        '把文件、目录、远程 URL 或 Git 仓库添加到镜像中。本地的 tar 归档（未压缩、gzip、bzip2 或 xz）会在目标位置自动解压，从 URL 下载的文件则不会解压。只是原样复制本地文件时，建议使用行为更简单的 COPY。',
      syntax: ['ADD [选项] <源> ... <目标>', 'ADD [选项] ["<源>", ... "<目标>"]'],
      example: ['ADD rootfs.tar.xz /', 'ADD https://github.com/moby/buildkit.git#v0.14.0 /src/buildkit'],
    },
  },
  COPY: {
    anchor: 'copy',
    en: {
      summary:
        'Copies files and directories into the image, from the build context or, with `--from`, from an earlier stage or another image. Sources may contain wildcards; a destination ending in `/` is a directory, and a relative destination starts at WORKDIR.',
      syntax: ['COPY [OPTIONS] <src> ... <dest>', 'COPY [OPTIONS] ["<src>", ... "<dest>"]'],
      example: ['COPY package.json package-lock.json ./', 'COPY --from=build /out/app /usr/local/bin/app'],
    },
    'zh-cn': {
      summary:
        '把文件和目录复制到镜像中，来源是构建上下文；使用 `--from` 时则来自前面的某个构建阶段或另一个镜像。源路径可以使用通配符；以 `/` 结尾的目标是目录，相对的目标路径以 WORKDIR 为起点。',
      syntax: ['COPY [选项] <源> ... <目标>', 'COPY [选项] ["<源>", ... "<目标>"]'],
      example: ['COPY package.json package-lock.json ./', 'COPY --from=build /out/app /usr/local/bin/app'],
    },
  },
  ENTRYPOINT: {
    anchor: 'entrypoint',
    en: {
      summary:
        'Makes the container run as an executable. In the exec form, CMD and the arguments of `docker run` are appended as its parameters. The shell form runs under `/bin/sh -c`: it ignores CMD and run arguments, and the program is not PID 1, so it does not receive stop signals. `docker run --entrypoint` overrides it.',
      syntax: ['ENTRYPOINT ["<executable>", "<param>", ...]', 'ENTRYPOINT <command> <param> ...'],
      example: ['ENTRYPOINT ["/usr/local/bin/app"]', 'CMD ["--help"]'],
    },
    'zh-cn': {
      summary:
        '让容器像一个可执行程序一样运行。exec 形式下，CMD 和 `docker run` 的参数会追加在后面作为它的参数。shell 形式通过 `/bin/sh -c` 执行：会忽略 CMD 和运行参数，程序也不是 PID 1，收不到停止信号。可以用 `docker run --entrypoint` 覆盖。',
      syntax: ['ENTRYPOINT ["<可执行文件>", "<参数>", ...]', 'ENTRYPOINT <命令> <参数> ...'],
      example: ['ENTRYPOINT ["/usr/local/bin/app"]', 'CMD ["--help"]'],
    },
  },
  VOLUME: {
    anchor: 'volume',
    en: {
      summary:
        'Marks paths as mount points for volumes. When a container starts without a volume mounted there, an anonymous volume is created for it, and its data lives outside the container\'s writable layer.',
      syntax: ['VOLUME ["<path>", ...]', 'VOLUME <path> [<path> ...]'],
      example: ['VOLUME /var/lib/postgresql/data'],
    },
    'zh-cn': {
      summary: '把路径声明为卷的挂载点。容器启动时若该路径没有挂载任何卷，会自动为它创建一个匿名卷，其中的数据独立于容器的可写层保存。',
      syntax: ['VOLUME ["<路径>", ...]', 'VOLUME <路径> [<路径> ...]'],
      example: ['VOLUME /var/lib/postgresql/data'],
    },
  },
  USER: {
    anchor: 'user',
    en: {
      summary:
        'Sets the user (and optionally the group) for the following RUN instructions and for the container\'s CMD and ENTRYPOINT. Give a name from the image\'s /etc/passwd or a numeric UID. Without USER, containers run as root.',
      syntax: ['USER <user>[:<group>]', 'USER <UID>[:<GID>]'],
      example: ['RUN useradd --system --uid 10001 app', 'USER app'],
    },
    'zh-cn': {
      summary:
        '设置后续 RUN 指令以及容器的 CMD、ENTRYPOINT 所使用的用户（也可同时指定用户组）。可以写镜像 /etc/passwd 中已有的用户名，也可以直接写数字 UID。不设置 USER 时，容器以 root 身份运行。',
      syntax: ['USER <用户>[:<用户组>]', 'USER <UID>[:<GID>]'],
      example: ['RUN useradd --system --uid 10001 app', 'USER app'],
    },
  },
  WORKDIR: {
    anchor: 'workdir',
    en: {
      summary:
        'Sets the working directory for the following RUN, CMD, ENTRYPOINT, COPY and ADD instructions, and creates it if it does not exist. A relative path is taken from the previous WORKDIR. Prefer it to `RUN cd ...`, which lasts only for that RUN.',
      syntax: ['WORKDIR <path>'],
      example: ['WORKDIR /app', 'COPY . .'],
    },
    'zh-cn': {
      summary:
        '设置后续 RUN、CMD、ENTRYPOINT、COPY 和 ADD 的工作目录，目录不存在时会自动创建。相对路径以上一条 WORKDIR 为基准。请用它代替只对当前 RUN 有效的 `RUN cd ...`。',
      syntax: ['WORKDIR <路径>'],
      example: ['WORKDIR /app', 'COPY . .'],
    },
  },
  ARG: {
    anchor: 'arg',
    en: {
      summary:
        'Declares a build argument, optionally with a default, that `docker build --build-arg <name>=<value>` can set. An ARG before the first FROM is global and usable in FROM lines; to use it inside a stage, declare it again there (`ARG <name>`). Build arguments are not kept in the image\'s environment but can be seen in its history: never pass secrets this way.',
      syntax: ['ARG <name>[=<default value>] [<name>[=<default value>] ...]'],
      example: ['ARG VERSION=3.20', 'FROM alpine:${VERSION}', 'ARG VERSION', 'RUN echo "built on alpine $VERSION"'],
    },
    'zh-cn': {
      summary:
        '声明一个构建参数（可带默认值），构建时可用 `docker build --build-arg <名称>=<值>` 指定它的值。写在第一个 FROM 之前的 ARG 是全局参数，可以在 FROM 行中使用；要在某个阶段内使用，需要在该阶段里再声明一次（`ARG <名称>`）。构建参数不会保留在镜像的环境变量中，但能在镜像历史里看到，切勿用它传递密码等机密信息。',
      syntax: ['ARG <名称>[=<默认值>] [<名称>[=<默认值>] ...]'],
      example: ['ARG VERSION=3.20', 'FROM alpine:${VERSION}', 'ARG VERSION', 'RUN echo "built on alpine $VERSION"'],
    },
  },
  ONBUILD: {
    anchor: 'onbuild',
    en: {
      summary:
        'Registers a trigger: an instruction that runs later, when another build uses this image as its base, right after that build\'s FROM. Useful for base images of language toolchains. ONBUILD cannot trigger FROM, MAINTAINER or another ONBUILD.',
      syntax: ['ONBUILD <INSTRUCTION>'],
      example: ['ONBUILD COPY . /app/src', 'ONBUILD RUN make -C /app/src'],
    },
    'zh-cn': {
      summary:
        '登记一条触发指令：当以后有其他构建以本镜像为基础镜像时，这条指令会在那次构建的 FROM 之后立即执行。常用于各种语言工具链的基础镜像。ONBUILD 不能触发 FROM、MAINTAINER 或另一个 ONBUILD。',
      syntax: ['ONBUILD <指令>'],
      example: ['ONBUILD COPY . /app/src', 'ONBUILD RUN make -C /app/src'],
    },
  },
  STOPSIGNAL: {
    anchor: 'stopsignal',
    en: {
      summary:
        'Sets the signal sent to the container to make it exit, by name (`SIGTERM`) or by number (`9`). The default is SIGTERM; `docker run --stop-signal` overrides it.',
      syntax: ['STOPSIGNAL <signal>'],
      example: ['STOPSIGNAL SIGQUIT'],
    },
    'zh-cn': {
      summary: '设置停止容器时发送给它的系统信号，可以写名称（`SIGTERM`）或编号（`9`）。默认是 SIGTERM，可以用 `docker run --stop-signal` 覆盖。',
      syntax: ['STOPSIGNAL <信号>'],
      example: ['STOPSIGNAL SIGQUIT'],
    },
  },
  HEALTHCHECK: {
    anchor: 'healthcheck',
    en: {
      summary:
        'Tells Docker how to test that the container still works. The command runs inside the container: exit status 0 means healthy, 1 unhealthy; after `--retries` failures in a row the container is marked unhealthy. `HEALTHCHECK NONE` turns off a check inherited from the base image. Only the last HEALTHCHECK takes effect.',
      syntax: ['HEALTHCHECK [OPTIONS] CMD <command>', 'HEALTHCHECK NONE'],
      example: ['HEALTHCHECK --interval=30s --timeout=3s --retries=3 \\', '  CMD curl -f http://localhost/ || exit 1'],
    },
    'zh-cn': {
      summary:
        '告诉 Docker 如何检查容器是否仍在正常工作。检查命令在容器内执行：退出码 0 表示健康，1 表示不健康；连续失败 `--retries` 次后，容器被标记为 unhealthy。`HEALTHCHECK NONE` 可以关闭从基础镜像继承的健康检查。只有最后一条 HEALTHCHECK 生效。',
      syntax: ['HEALTHCHECK [选项] CMD <命令>', 'HEALTHCHECK NONE'],
      example: ['HEALTHCHECK --interval=30s --timeout=3s --retries=3 \\', '  CMD curl -f http://localhost/ || exit 1'],
    },
  },
  SHELL: {
    anchor: 'shell',
    en: {
      summary:
        'Changes the shell that the shell form of the following RUN, CMD and ENTRYPOINT instructions runs with. It must be written in exec (JSON) form. The default is `["/bin/sh", "-c"]` on Linux and `["cmd", "/S", "/C"]` on Windows.',
      syntax: ['SHELL ["<executable>", "<param>", ...]'],
      example: ['SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'RUN curl -fsSL https://example.com/install.sh | sh'],
    },
    'zh-cn': {
      summary:
        '更改后续 RUN、CMD 和 ENTRYPOINT 的 shell 形式所使用的 shell。必须以 exec（JSON 数组）形式书写。Linux 上默认为 `["/bin/sh", "-c"]`，Windows 上默认为 `["cmd", "/S", "/C"]`。',
      syntax: ['SHELL ["<可执行文件>", "<参数>", ...]'],
      example: ['SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'RUN curl -fsSL https://example.com/install.sh | sh'],
    },
  },
};

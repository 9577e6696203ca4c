/**
 * The Dockerfile language server: thin LSP glue over `src/dockerfile` (parser, checks, hover, completion,
 * navigation, formatting). Each document is parsed once per version and the tree is shared by every
 * request; diagnostics are published as soon as a document opens or changes.
 *
 * Settings come from the client (`berth.lint.enabled`, `berth.lint.rules.<Code>`: error, warning,
 * information, hint or off); the display language from `initialize` (`locale`); the store for image facts
 * from `initializationOptions.storePath` or the `berth.storePath` setting (default: the engine's).
 */
import {
  CodeActionKind,
  DiagnosticSeverity,
  DiagnosticTag,
  InsertTextFormat,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeAction,
  type CompletionItem,
  type Connection,
  type Diagnostic,
  type DocumentSymbol,
  type InitializeParams,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parse, type DockerfileAst } from '../dockerfile/index';
import { lint, ruleInfo } from '../dockerfile/lint/index';
import type { LintProblem, Severity, TextEdit } from '../dockerfile/lint/types';
import type { ImageSource, Locale } from '../dockerfile/features/types';
import { hover } from '../dockerfile/features/hover';
import { complete } from '../dockerfile/features/completion';
import { documentSymbols } from '../dockerfile/features/symbols';
import { foldingRanges } from '../dockerfile/features/folding';
import { format, formatRange } from '../dockerfile/features/format';
import { definition } from '../dockerfile/features/definition';
import { documentLinks } from '../dockerfile/features/links';
import { tryParseReference } from '../engine/ref/reference';
import { defaultStoreRoot } from '../engine/store/layout';
import { storeImages } from './images';

/** The settings the server reads from the client (section `berth`). */
interface BerthSettings {
  storePath?: string;
  lint?: { enabled?: boolean; rules?: Record<string, Severity> };
}

interface Parsed {
  version: number;
  ast: DockerfileAst;
  problems: LintProblem[];
}

const SEVERITY: Record<LintProblem['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The engine's reference validator: what FROM accepts is what the builder accepts. */
function validateReference(ref: string): string | undefined {
  const r = tryParseReference(ref);
  return r.ok ? undefined : r.message;
}

/** A Dockerfile using every instruction and the usual RUN habits, for {@link warmUp}. */
const WARM_UP_SAMPLE = `# syntax=docker/dockerfile:1
ARG BASE=debian:12-slim
FROM \${BASE} AS build
ARG VERSION=1.0
ENV APP_HOME=/opt/app PATH=/opt/app/bin:$PATH
WORKDIR $APP_HOME
RUN set -eux; \\
    apt-get update; \\
    apt-get install -y --no-install-recommends ca-certificates curl python3-pip; \\
    pip install --no-cache-dir requests | tee /tmp/pip.log; \\
    rm -rf /var/lib/apt/lists/*
COPY --chown=1000:1000 --chmod=0644 src/ ./src/
ADD https://example.com/file.tar.gz /tmp/
COPY <<CONF /etc/app.conf
name=$VERSION
CONF
LABEL org.opencontainers.image.version="$VERSION" stage=build
EXPOSE 8080/tcp 53/udp
FROM build AS final
USER 1000:1000
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost:8080/ || exit 1
ONBUILD RUN echo child
SHELL ["/bin/sh", "-c"]
ENTRYPOINT ["/opt/app/bin/server"]
CMD ["--port", "8080"]
`;

/**
 * Runs the parser and the checks over a sample a few times right after start, a slice per turn of the
 * event loop, so the first Dockerfile a user opens is checked by compiled code rather than cold code.
 */
function warmUp(rounds = 6): void {
  const text = Array.from({ length: 40 }, () => WARM_UP_SAMPLE).join('\n');
  let done = 0;
  const slice = (): void => {
    try {
      lint(parse(text), text, { validateReference });
    } catch {
      return;
    }
    if (++done < rounds) setImmediate(slice);
  };
  setImmediate(slice);
}

/** Serves the Dockerfile language on `connection` (already created for stdio or IPC). */
export function startServer(connection: Connection, options: { images?: ImageSource } = {}): void {
  const documents = new TextDocuments(TextDocument);
  const parsed = new Map<string, Parsed>();
  let settings: BerthSettings = {};
  let locale: Locale = 'en';
  let canPullConfiguration = false;
  let images = options.images;
  let initStorePath: string | undefined;

  const imageSource = (): ImageSource => {
    images ??= storeImages(settings.storePath || initStorePath || defaultStoreRoot());
    return images;
  };

  const analyse = (doc: TextDocument): Parsed => {
    const known = parsed.get(doc.uri);
    if (known && known.version === doc.version) return known;
    const text = doc.getText();
    // an edit re-reads only the instructions it touched (the tree of the last version gives the rest)
    const ast = parse(text, { previous: known?.ast });
    const enabled = settings.lint?.enabled !== false;
    const problems = enabled ? lint(ast, text, { severities: settings.lint?.rules, validateReference }) : [];
    const result = { version: doc.version, ast, problems };
    parsed.set(doc.uri, result);
    return result;
  };

  const publish = (doc: TextDocument): void => {
    const { problems } = analyse(doc);
    const diagnostics: Diagnostic[] = problems.map((p) => {
      const d: Diagnostic = { range: p.range, message: p.message, severity: SEVERITY[p.severity], code: p.code, source: 'berth' };
      if (p.tags?.length) d.tags = p.tags.map((t) => (t === 'deprecated' ? DiagnosticTag.Deprecated : DiagnosticTag.Unnecessary));
      return d;
    });
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };

  const pullSettings = async (): Promise<void> => {
    if (!canPullConfiguration) return;
    const [berth] = (await connection.workspace.getConfiguration([{ section: 'berth' }])) as [BerthSettings | null];
    applySettings(berth ?? {});
  };

  const applySettings = (next: BerthSettings): void => {
    if ((next.storePath || '') !== (settings.storePath || '')) images = options.images;
    settings = next;
    parsed.clear();
    for (const doc of documents.all()) publish(doc);
  };

  connection.onInitialize((params: InitializeParams) => {
    locale = params.locale?.toLowerCase().startsWith('zh') ? 'zh-cn' : 'en';
    canPullConfiguration = Boolean(params.capabilities.workspace?.configuration);
    const init = (params.initializationOptions ?? {}) as { storePath?: string; settings?: BerthSettings };
    initStorePath = init.storePath;
    if (init.settings) settings = init.settings;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['-', '=', '$', '{', ' ', ':', '/'], resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        definitionProvider: true,
        documentLinkProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'berth-dockerfile', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    void pullSettings().catch(() => undefined);
    warmUp();
  });

  connection.onDidChangeConfiguration((change) => {
    const pushed = (change.settings as { berth?: BerthSettings } | null)?.berth;
    if (pushed) applySettings(pushed);
    else void pullSettings().catch(() => undefined);
  });

  documents.onDidChangeContent((e) => publish(e.document));
  documents.onDidClose((e) => {
    parsed.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const withDoc = <T>(uri: string, fallback: T, work: (doc: TextDocument, p: Parsed) => T): T => {
    const doc = documents.get(uri);
    if (!doc) return fallback;
    try {
      return work(doc, analyse(doc));
    } catch (e) {
      connection.console.error(`berth: ${(e as Error).stack ?? String(e)}`);
      return fallback;
    }
  };

  connection.onHover(async (params) => {
    const r = await withDoc(params.textDocument.uri, Promise.resolve(undefined), (doc, p) => hover(p.ast, doc.getText(), params.position, { locale, images: imageSource() }));
    return r ? { contents: { kind: 'markdown', value: r.markdown }, range: r.range } : null;
  });

  connection.onCompletion(async (params) => {
    const items = await withDoc(params.textDocument.uri, Promise.resolve([]), (doc, p) => complete(p.ast, doc.getText(), params.position, { locale, images: imageSource() }));
    return items.map((c): CompletionItem => {
      const item: CompletionItem = { label: c.label, kind: c.kind as CompletionItem['kind'] };
      if (c.detail) item.detail = c.detail;
      if (c.documentation) item.documentation = { kind: 'markdown', value: c.documentation };
      if (c.textEdit) item.textEdit = c.textEdit;
      if (c.insertText) item.insertText = c.insertText;
      if (c.snippet) item.insertTextFormat = InsertTextFormat.Snippet;
      if (c.sortText) item.sortText = c.sortText;
      if (c.filterText) item.filterText = c.filterText;
      return item;
    });
  });

  connection.onCodeAction((params) => withDoc(params.textDocument.uri, [], (_doc, p) => {
    const uri = params.textDocument.uri;
    const actions: CodeAction[] = [];
    const overlaps = (a: LintProblem): boolean => !(before(a.range.end, params.range.start) || before(params.range.end, a.range.start));
    for (const problem of p.problems.filter(overlaps)) {
      const diagnostic = params.context.diagnostics.find((d) => d.code === problem.code && sameRange(d.range, problem.range));
      for (const fix of problem.fixes ?? []) {
        actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, isPreferred: fix.preferred, diagnostics: diagnostic ? [diagnostic] : undefined, edit: { changes: { [uri]: fix.edits } } });
      }
      if (!problem.code.includes('-')) {
        actions.push({ title: `Skip ${problem.code} in this file (# check=skip=${problem.code})`, kind: CodeActionKind.QuickFix, diagnostics: diagnostic ? [diagnostic] : undefined, edit: { changes: { [uri]: [skipEdit(p.ast, problem.code)] } } });
      }
    }
    return actions;
  }));

  connection.onDocumentSymbol((params) => withDoc(params.textDocument.uri, [], (_doc, p) => documentSymbols(p.ast) as DocumentSymbol[]));
  connection.onFoldingRanges((params) => withDoc(params.textDocument.uri, [], (doc, p) => foldingRanges(p.ast, doc.getText())));
  connection.onDocumentFormatting((params) => withDoc(params.textDocument.uri, [], (doc, p) => format(p.ast, doc.getText(), params.options)));
  connection.onDocumentRangeFormatting((params) => withDoc(params.textDocument.uri, [], (doc, p) => formatRange(p.ast, doc.getText(), params.range, params.options)));
  connection.onDefinition((params) => withDoc(params.textDocument.uri, [], (doc, p) => definition(p.ast, doc.getText(), params.position).map((l) => ({ uri: params.textDocument.uri, range: l.range }))));
  connection.onDocumentLinks((params) => withDoc(params.textDocument.uri, [], (doc, p) => documentLinks(p.ast, doc.getText())));

  connection.onRequest('berth/rules', () => ruleInfo());

  documents.listen(connection);
  connection.listen();
}

function before(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function sameRange(a: { start: { line: number; character: number }; end: { line: number; character: number } }, b: typeof a): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** Adds RULE to the file's `# check=skip=` directive, or writes one at the top. */
function skipEdit(ast: DockerfileAst, code: string): TextEdit {
  const check = ast.directives.find((d) => d.name === 'check');
  if (!check) return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `# check=skip=${code}\n` };
  const parts = check.value.split(';').map((s) => s.trim()).filter(Boolean);
  const i = parts.findIndex((s) => s.startsWith('skip='));
  if (i >= 0) parts[i] = `${parts[i]},${code}`;
  else parts.unshift(`skip=${code}`);
  return { range: check.valueRange, newText: parts.join(';') };
}

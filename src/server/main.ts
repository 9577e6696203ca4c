/**
 * The Dockerfile language server's entry point (stdio or IPC, as the client starts it). Diagnostics,
 * hover and completion arrive with the language-server issue on the shared Dockerfile parser.
 */
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

connection.onInitialize(() => ({
  capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
  serverInfo: { name: 'berth-dockerfile', version: '0.1.0' },
}));

documents.listen(connection);
connection.listen();

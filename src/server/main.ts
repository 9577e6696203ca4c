/**
 * The Dockerfile language server's entry point: stdio (`--stdio`) or IPC (`--node-ipc`), as the client
 * starts it. See server.ts.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));

/**
 * "Copy to Docker Engine" / "Copy to Bundled Engine": an image of the engine the view shows, copied
 * into the other one by streaming the `save` of one into the `load` of the other (no temporary file),
 * under a cancellable progress notification. The other engine is opened for the copy and closed after.
 */
import * as vscode from 'vscode';
import { copyBetweenEngines } from '../engine/copy-between';
import { isBerthError } from '../engine/errors';
import type { EngineKind } from '../engine/choose';
import { humanSize } from '../dockerfile/docs/human';
import type { EngineHost } from './engine-host';
import { shortId, type ImageRow } from './images-model';
import { familiarString, parseReference } from '../engine/ref/reference';

/** What the copy needs from the extension. */
export interface CopyContext {
  host: EngineHost;
  output: vscode.LogOutputChannel;
}

/** Copies the image of `row` (or one picked) from the engine in use into the `to` engine. */
export async function copyImage(c: CopyContext, to: EngineKind, row: ImageRow | undefined, pick: (row: ImageRow | undefined) => Promise<ImageRow | undefined>): Promise<void> {
  const target = to === 'docker' ? vscode.l10n.t('the Docker engine') : vscode.l10n.t('the bundled engine');
  if (c.host.kind === to) {
    void vscode.window.showInformationMessage(vscode.l10n.t('The Images view already shows {0}; switch the setting berth.engine to copy from it.', target));
    return;
  }
  const r = await pick(row);
  if (!r) return;
  const name = r.reference ?? r.image.id;
  const label = r.reference ? familiarString(parseReference(r.reference)) : shortId(r.image.id);
  const title = vscode.l10n.t('Copying {0} to {1}', label, target);
  try {
    const loaded = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      const from = await c.host.get();
      const into = await c.host.open(to);
      try {
        return await copyBetweenEngines(from, into, [name], { signal: controller.signal, onProgress: (bytes) => progress.report({ message: humanSize(bytes) }) });
      } finally {
        await into.close();
      }
    });
    for (const l of loaded.loaded) c.output.info(`copied to ${to}: ${l.tag ?? l.id} (${l.id})`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied {0} to {1}.', label, target));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    c.output.error(`${title}: ${message}`);
    if (isBerthError(e, 'CANCELLED')) void vscode.window.showInformationMessage(vscode.l10n.t('{0} was cancelled; nothing changed.', title));
    else void vscode.window.showErrorMessage(`${title}: ${message}`);
  }
}

/**
 * Reading a `docker save` archive's manifest.json (moby image/tarexport/load.go): for each image
 * its config file, its layer files in order, and its RepoTags. Works for the classic layout
 * (`<id>/layer.tar`), skopeo's (`<diff id>.tar`) and Docker 25's (`blobs/sha256/<hex>`).
 */
import { BerthError } from '../errors';
import type { ArchiveFiles } from './archive-files';
import { archiveTag, parseConfig, planLayer, requireFile, type PlannedImage } from './load-plan';

interface ManifestEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

/** The images manifest.json describes, each checked against the files of the archive. */
export async function planDockerArchive(files: ArchiveFiles, source: string): Promise<PlannedImage[]> {
  const file = files.resolve('manifest.json')!;
  let entries: ManifestEntry[];
  try {
    entries = JSON.parse((await files.bytes(file)).toString('utf8')) as ManifestEntry[];
  } catch (e) {
    throw new BerthError('INVALID_ARCHIVE', `${source}: manifest.json is not valid JSON; the archive is damaged`, { cause: e });
  }
  if (!Array.isArray(entries)) throw new BerthError('INVALID_ARCHIVE', `${source}: manifest.json is not a list of images`);
  const images: PlannedImage[] = [];
  for (const [i, entry] of entries.entries()) {
    const what = `image ${i + 1} of manifest.json`;
    const configFile = requireFile(files, entry?.Config, `the Config of ${what}`, source);
    const configBytes = await files.bytes(configFile);
    const { config, diffIds } = parseConfig(configBytes, `${source}: ${configFile.name}`);
    const layerPaths = entry.Layers ?? [];
    if (!Array.isArray(layerPaths) || layerPaths.length !== diffIds.length) {
      throw new BerthError('INVALID_ARCHIVE', `${source}: ${what} lists ${Array.isArray(layerPaths) ? layerPaths.length : 'no'} layers, but its config ${configFile.name} has ${diffIds.length} diff IDs`);
    }
    const layers = layerPaths.map((p: unknown, j) => {
      const layer = requireFile(files, p, `layer ${j + 1} of ${what}`, source);
      return planLayer(files, layer, diffIds[j]!, `${source}: layer "${layer.name}"`);
    });
    const repoTags = entry.RepoTags ?? [];
    if (!Array.isArray(repoTags)) throw new BerthError('INVALID_ARCHIVE', `${source}: RepoTags of ${what} is not a list`);
    const tags = repoTags.map((t: unknown) => archiveTag(String(t), `${source}: ${what}`));
    images.push({ configBytes, created: typeof config.created === 'string' ? config.created : undefined, layers, tags });
  }
  return images;
}

/**
 * The image config `docker import` writes (moby daemon/images/image_import.go): architecture, os,
 * created, the runtime config from the changes, the comment, one rootfs layer and one history entry.
 * Keys are written in sorted order, as Docker's `image.Image.MarshalJSON` does.
 */
import type { Digest } from '../oci/digest';
import type { ContainerConfig, ImageConfig, Platform } from '../oci/types';

/** What an imported image's config says. */
export interface ImportConfigInput {
  diffId: Digest;
  platform: Platform;
  config: ContainerConfig;
  /** The `-m/--message`, or `Imported from SOURCE`. */
  comment: string;
  created: Date;
}

/** The config of an imported image (Docker leaves `created_by` out of the history entry). */
export function importConfig(input: ImportConfigInput): ImageConfig {
  const created = input.created.toISOString();
  const config: ImageConfig = {
    architecture: input.platform.architecture,
    comment: input.comment,
    config: input.config,
    created,
    history: [{ created, comment: input.comment }],
    os: input.platform.os,
    rootfs: { type: 'layers', diff_ids: [input.diffId] },
  };
  if (input.platform.variant) config.variant = input.platform.variant;
  return config;
}

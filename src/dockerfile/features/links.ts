/**
 * Links from the base images of a Dockerfile's FROM lines to their pages on the registry's web site
 * (Docker Hub, GitHub Container Registry, Quay, Microsoft Artifact Registry, Google Container Registry).
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocument_documentLink
 * https://github.com/distribution/reference/blob/main/reference.go (the grammar of image references)
 */
import type { DockerfileAst, Stage } from '../ast';
import { stageNamed } from '../stages';
import type { LinkResult } from './types';

/** A path component of a repository name (distribution/reference's `path-component`). */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** A repository name: its registry (absent for Docker Hub's short names) and its path components. */
interface RepositoryName {
  domain?: string;
  path: string[];
}

/** The repository of an image reference, tag and digest dropped; undefined when it is not a valid name. */
function repositoryName(reference: string): RepositoryName | undefined {
  let name = reference;
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) name = name.slice(0, colon);
  const path = name.split('/');
  const first = path[0]!;
  const repository: RepositoryName = { path };
  if (path.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    repository.domain = first.toLowerCase();
    path.shift();
  }
  return path.every((c) => PATH_COMPONENT.test(c)) ? repository : undefined;
}

/** A repository's page on its registry's site, and the names of both, for the registries that have pages. */
interface RepositoryPage {
  url: string;
  site: string;
  name: string;
}

function repositoryPage(repository: RepositoryName): RepositoryPage | undefined {
  const { domain, path } = repository;
  const joined = path.join('/');
  const page = (url: string, site: string): RepositoryPage => ({ url, site, name: joined });
  if (domain === undefined || DOCKER_HUB.has(domain)) {
    const official = path.length === 1 || (path.length === 2 && path[0] === 'library');
    const name = path[path.length - 1]!;
    return official ? { url: `https://hub.docker.com/_/${name}`, site: 'Docker Hub', name } : page(`https://hub.docker.com/r/${joined}`, 'Docker Hub');
  }
  if (domain === 'ghcr.io') return page(`https://ghcr.io/${joined}`, 'GitHub Container Registry');
  if (domain === 'quay.io') return page(`https://quay.io/repository/${joined}`, 'Quay');
  if (domain === 'mcr.microsoft.com') return page(`https://mcr.microsoft.com/artifact/mar/${joined}`, 'Microsoft Artifact Registry');
  if (domain === 'gcr.io' || domain.endsWith('.gcr.io')) return page(`https://${domain}/${joined}`, 'Google Container Registry');
  return undefined;
}

function stageLink(stages: readonly Stage[], stage: Stage): LinkResult | undefined {
  const image = stage.image;
  if (!stage.imageRange || image === '' || image.includes('$') || image.toLowerCase() === 'scratch') return undefined;
  if (stageNamed(stages, image, stage.index)) return undefined;
  const repository = repositoryName(image);
  const page = repository && repositoryPage(repository);
  if (!page) return undefined;
  return { range: stage.imageRange, target: page.url, tooltip: `Open ${page.name} on ${page.site}` };
}

/**
 * The links of a parsed Dockerfile: each FROM's base image to its registry page. Not linked: earlier
 * stages, `scratch`, images with variables, and registries without a known web page. `text` is the
 * document the AST was parsed from (unused: the AST's ranges say everything needed).
 */
export function documentLinks(ast: DockerfileAst, _text: string): LinkResult[] {
  const links: LinkResult[] = [];
  for (const stage of ast.stages) {
    const link = stageLink(ast.stages, stage);
    if (link) links.push(link);
  }
  return links;
}

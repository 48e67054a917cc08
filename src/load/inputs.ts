/** Resolving manifest sources into parsed documents. */
import { loadManifestFile } from "./manifests.ts";
import type { Source } from "./sources.ts";
import type { YamlDocument } from "./yaml.ts";

export async function loadManifests(sources: readonly Source[]): Promise<YamlDocument[]> {
  const docs: YamlDocument[] = [];
  for (const source of sources) if (source.kind === "manifest") docs.push(...(await loadManifestFile(source.path)));
  return docs;
}

/** Resolving manifest sources into parsed documents. */
import { loadManifestFile } from "./manifests.ts";
import type { Source } from "./sources.ts";
import type { YamlDocument } from "./yaml.ts";

export async function loadManifests(sources: readonly Source[]): Promise<YamlDocument[]> {
  const docs: YamlDocument[] = [];
  for (const source of sources) {
    if (source.kind !== "manifest") continue;
    // Not push(...docs): a file of 100k documents would overflow the call stack.
    for (const doc of await loadManifestFile(source.path)) docs.push(doc);
  }
  return docs;
}

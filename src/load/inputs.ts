/** Resolving the paths a user passes (files, directories, `-`) into parsed documents. */
import { isDirectory, loadManifestFile, manifestFilesIn, STDIN } from "./manifests.ts";
import type { YamlDocument } from "./yaml.ts";

export async function loadManifests(inputs: readonly string[]): Promise<YamlDocument[]> {
  const docs: YamlDocument[] = [];
  for (const input of inputs) {
    const files = input !== STDIN && (await isDirectory(input)) ? await manifestFilesIn(input) : [input];
    for (const file of files) docs.push(...(await loadManifestFile(file)));
  }
  return docs;
}

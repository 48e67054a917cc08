/** `chartguard check` as a library call: load the inputs, then run the pure core. */
import { checkDocuments, type CheckResult } from "./analyze/check.ts";
import { DEFAULT_SETTINGS, type AnalysisSettings } from "./analyze/context.ts";
import { isDirectory, loadManifestFile, manifestFilesIn, STDIN } from "./load/manifests.ts";
import type { YamlDocument } from "./load/yaml.ts";

export interface CheckOptions {
  /** Manifest files, directories, or `-` for stdin. */
  inputs: readonly string[];
  /** Namespace for objects that set none, as `helm -n` applies it. Default `default`. */
  namespace?: string;
  settings?: Partial<AnalysisSettings>;
}

export async function check(options: CheckOptions): Promise<CheckResult> {
  const docs: YamlDocument[] = [];
  for (const input of options.inputs) {
    const files = input !== STDIN && (await isDirectory(input)) ? await manifestFilesIn(input) : [input];
    for (const file of files) docs.push(...(await loadManifestFile(file)));
  }
  return checkDocuments(docs, {
    namespace: options.namespace ?? "default",
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
  });
}

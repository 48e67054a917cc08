/** `chartguard check` as a library call: load the inputs, then run the pure core. */
import { checkDocuments, type CheckResult } from "./analyze/check.ts";
import { DEFAULT_SETTINGS, type AnalysisSettings } from "./analyze/context.ts";
import { loadManifests } from "./load/inputs.ts";

export interface CheckOptions {
  /** Manifest files, directories, or `-` for stdin. */
  inputs: readonly string[];
  /** Namespace for objects that set none, as `helm -n` applies it. Default `default`. */
  namespace?: string;
  settings?: Partial<AnalysisSettings>;
}

export async function check(options: CheckOptions): Promise<CheckResult> {
  return checkDocuments(await loadManifests(options.inputs), {
    namespace: options.namespace ?? "default",
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
  });
}

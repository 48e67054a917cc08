/** `chartguard upgrade` as a library call: load both sides, then run the pure core. */
import { DEFAULT_SETTINGS, type AnalysisSettings } from "./analyze/context.ts";
import { upgradeDocuments, type UpgradeResult } from "./analyze/upgrade/index.ts";
import { UsageError } from "./errors.ts";
import { loadManifests } from "./load/inputs.ts";
import { STDIN } from "./load/manifests.ts";

export interface UpgradeOptions {
  /** The release as it is: manifests (e.g. `helm get manifest RELEASE`), a file, directory or `-`. */
  from: string;
  /** The release as it will be. */
  to: string;
  namespace?: string;
  settings?: Partial<AnalysisSettings>;
}

export async function upgrade(options: UpgradeOptions): Promise<UpgradeResult> {
  if (options.from === STDIN && options.to === STDIN) throw new UsageError("--from and --to cannot both read stdin");
  return upgradeDocuments(await loadManifests([options.from]), await loadManifests([options.to]), {
    namespace: options.namespace ?? "default",
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
  });
}

/**
 * The one version comparison of the project: Kubernetes versions ("1.30", "v1.30.2") and
 * Argo Rollouts versions ("1.9") are compared by major and minor. Versions reach the core
 * already validated (cli/options.ts, config/config.ts), so a string without a
 * `major.minor` is a programming error and throws instead of picking a side silently.
 */

function majorMinor(version: string): [number, number] {
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!match) throw new Error(`not a version: ${JSON.stringify(version)} (expected major.minor, e.g. 1.30)`);
  return [Number(match[1]), Number(match[2])];
}

/** `version >= min`, both "major.minor" (a patch part or a leading `v` is ignored). */
export function versionAtLeast(version: string, min: string): boolean {
  const [a, b] = majorMinor(version);
  const [c, d] = majorMinor(min);
  return a > c || (a === c && b >= d);
}

/** The versions a fact holds for: `since` is the first version it applies to, `until` the first it no longer does. */
export interface VersionGate {
  since?: string;
  until?: string;
}

export function gateApplies(gate: VersionGate, version: string): boolean {
  if (gate.since !== undefined && !versionAtLeast(version, gate.since)) return false;
  if (gate.until !== undefined && versionAtLeast(version, gate.until)) return false;
  return true;
}

/** `v1.29.3` (a flag or the configuration's `kubernetesVersion`) → `1.29`, the form the analysis settings use. */
export function minorVersion(version: string): string {
  const [major, minor] = version.replace(/^v/, "").split(".");
  return `${major}.${minor}`;
}

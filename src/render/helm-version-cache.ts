/**
 * Helm's version remembered from one run to the next, so that a render that cannot report
 * it (a chart rendered where it is, without probe renders) does not start helm a second time
 * only for `helm version`: on a large chart that start competes with the render for the
 * cores. A binary is known by its device, inode, size and modification and change times, so
 * a new or updated helm is asked again. A script is never remembered: a wrapper (an asdf or
 * mise shim) may run another helm in another folder. A file that cannot be read or written
 * is no more than a miss.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Enough for a few helm versions side by side; the oldest are forgotten first. */
const MAX_REMEMBERED = 8;

/** `$XDG_CACHE_HOME/chartguard`, else `~/.cache/chartguard`; undefined when neither is set. */
function cacheFile(env: NodeJS.ProcessEnv): string | undefined {
  const base = env["XDG_CACHE_HOME"] || (env["HOME"] ? path.join(env["HOME"], ".cache") : undefined);
  return base === undefined ? undefined : path.join(base, "chartguard", "helm-versions.json");
}

/** The binary's identity, or undefined for a script or a file that cannot be read. */
function identity(binary: string): string | undefined {
  try {
    const stats = statSync(binary, { bigint: true });
    const head = Buffer.alloc(2);
    const fd = openSync(binary, "r");
    try {
      readSync(fd, head, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
    if (head.toString("latin1") === "#!") return undefined;
    return `${binary}\0${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
  } catch {
    return undefined;
  }
}

function readEntries(file: string): [string, string][] {
  try {
    const entries: unknown = JSON.parse(readFileSync(file, "utf8"));
    return Array.isArray(entries) ? entries.filter((e): e is [string, string] => Array.isArray(e) && typeof e[0] === "string" && typeof e[1] === "string") : [];
  } catch {
    return [];
  }
}

/** The version text remembered for this binary as it is now. */
export function rememberedVersion(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  const file = cacheFile(env);
  const key = identity(binary);
  if (file === undefined || key === undefined) return undefined;
  return readEntries(file).find(([known]) => known === key)?.[1];
}

/** Remembers `version` for this binary; written whole and renamed into place, so a reader never sees half a file. */
export function rememberVersion(binary: string, version: string, env: NodeJS.ProcessEnv): void {
  const file = cacheFile(env);
  const key = identity(binary);
  if (file === undefined || key === undefined) return;
  try {
    const entries = [[key, version], ...readEntries(file).filter(([known]) => known !== key)].slice(0, MAX_REMEMBERED);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(entries), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // Only a miss next time.
  }
}

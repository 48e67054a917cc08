/** Path containment, for refusing anything that would lead out of a chart, archive or repository. */
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";

export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** The repository root: the nearest folder at or above `dir` holding `.git`, else `dir`. */
export function repositoryRoot(dir: string): string {
  let current = path.resolve(dir);
  for (;;) {
    if (existsSync(path.join(current, ".git"))) return current;
    const parent = path.dirname(current);
    if (parent === current) return path.resolve(dir);
    current = parent;
  }
}

/**
 * Where `file` really is once every symlink on the way is followed: the real path of its
 * longest existing ancestor, with the part that does not exist (yet) appended. A path that
 * does not exist can still name a place outside a folder through a symlinked ancestor.
 */
export function realLocation(file: string): string {
  const absolute = path.resolve(file);
  const missing: string[] = [];
  let existing = absolute;
  for (;;) {
    try {
      return path.join(realpathSync(existing), ...missing.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      missing.push(path.basename(existing));
      existing = parent;
    }
  }
}

/** Whether `file`, with its symlinks followed, lies inside `root` (with its own symlinks followed). */
export function isReallyInside(root: string, file: string): boolean {
  return isInside(realLocation(root), realLocation(file));
}

/**
 * How far a symlink in a chart may lead, as helm follows it: anywhere in the repository that
 * holds the chart (a file shared with a sibling chart), or within the chart when no
 * repository holds it. `name` says which, for messages.
 */
export function linkBoundary(chartRealPath: string): { dir: string; name: string } {
  const repository = realpathSync(repositoryRoot(chartRealPath));
  return repository === chartRealPath ? { dir: repository, name: "the chart" } : { dir: repository, name: "the repository holding the chart" };
}

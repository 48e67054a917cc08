/** Path containment, for refusing anything that would lead out of a chart or archive. */
import path from "node:path";

export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

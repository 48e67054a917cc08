/**
 * `--output-file`: the report is written next to its destination under a temporary name
 * and renamed over it, so a reader (a CI upload step, a watcher) sees the old file or the
 * complete new one, never a partial one — also when chartguard is interrupted.
 */
import { randomBytes } from "node:crypto";
import { renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.ts";
import { describeFsError } from "../load/manifests.ts";

export function writeOutputFile(file: string, text: string): void {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch {
    throw new InputError(`cannot write the report: the folder ${path.dirname(file) || "."} does not exist`, file);
  }
  if (!dirStat.isDirectory()) throw new InputError(`cannot write the report: ${path.dirname(file)} is not a folder`, file);
  try {
    if (statSync(target).isDirectory()) throw new InputError("cannot write the report: this is a folder; name a file", file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    // It does not exist yet: fine.
  }
  const temporary = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    writeFileSync(temporary, text, { flag: "wx" });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new InputError(`cannot write the report: ${describeFsError(error)}`, file);
  }
}

/**
 * `git:REF` sources: the same chart path at another revision of the git repository that
 * holds it (what a pull-request check compares against), unpacked with `git archive`.
 */
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import path from "node:path";
import { InputError } from "../errors.ts";
import { extractChartArchive } from "../load/chart-archive.ts";

export const GIT_PREFIX = "git:";

function git(cwd: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => reject(new InputError(`cannot run git: ${error.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new InputError(`git ${args[0]} failed: ${Buffer.concat(err).toString("utf8").trim().split("\n")[0]}`, cwd));
    });
  });
}

/** Writes the chart at `chartDir` as it was at `ref` into `workDir` and returns its directory. */
export async function chartAtRevision(chartDir: string, ref: string, workDir: string): Promise<string> {
  if (ref === "") throw new InputError("git: needs a revision, e.g. git:main or git:HEAD~1");
  // git would read `git:--output=...` or `git:--remote=...` as an option: a file written anywhere, or the network.
  if (ref.startsWith("-")) throw new InputError(`${GIT_PREFIX}${ref} is not a revision (it starts with "-")`);
  const prefix = (await git(chartDir, ["rev-parse", "--show-prefix"])).toString("utf8").trim();
  const treeish = prefix === "" ? ref : `${ref}:${prefix.replace(/\/$/, "")}`;
  // From the top: run in a subdirectory, git archive would look for that subdirectory inside `treeish` too.
  const top = (await git(chartDir, ["rev-parse", "--show-toplevel"])).toString("utf8").trim();
  const archive = await git(top, ["archive", "--format=tar.gz", "--prefix=chart/", treeish]).catch((error: unknown) => {
    throw new InputError(`no chart at ${GIT_PREFIX}${ref}: ${(error as Error).message}`, chartDir);
  });
  const dir = await mkdtemp(path.join(workDir, "git-"));
  const file = path.join(dir, "chart.tgz");
  await writeFile(file, archive);
  // In-chart symlinks are read through, as in the work tree: the chart at a commit equals the work tree at that commit.
  return extractChartArchive(file, dir, { followLinks: true });
}

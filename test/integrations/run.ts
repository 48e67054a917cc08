/**
 * Runs the CLI (and other commands) from any working directory: test/helpers/cli.ts loads
 * tsx relative to the working directory, which fails outside the project.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
/** The tsx loader as an absolute URL, usable from any folder. */
export const TSX_LOADER = import.meta.resolve("tsx");

/** git with a fixed identity and none of the machine's configuration. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: readonly string[], options: SpawnSyncOptions & { input?: string } = {}): Run {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    timeout: 180_000,
    ...options,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** `chartguard ARGS` from the source tree, in `cwd`. */
export function chartguard(args: readonly string[], options: SpawnSyncOptions & { input?: string } = {}): Run {
  return run(process.execPath, ["--import", TSX_LOADER, MAIN, ...args], options);
}

/** An executable `chartguard` script that runs the source tree (for scripts that call `chartguard`). */
export function writeChartguardWrapper(path: string): string {
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" --import "${TSX_LOADER}" "${MAIN}" "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

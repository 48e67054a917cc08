/**
 * Bounded and interruptible: a helm that floods its output or hangs, timeouts beyond what a
 * timer holds, special files that never deliver, and signals in every state. Each run ends
 * in one line and exit 2 (or the signal's exit code), promptly.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, openSync, closeSync, constants as fsConstants } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SIGNAL_EXIT_CODES } from "../../src/cli/signals.ts";
import { assertRefused, assertTempClean, cli, cliAsync, handlesSignals, readsStdin, script, smallChart, tempDir, writeFile } from "./support.ts";

const VERSION = 'if [ "$1" = "version" ]; then echo v3.17.2+g0000000; exit 0; fi';
const MANIFEST = "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: x}\\n'";

describe("helm output is bounded", () => {
  test("endless stdout: helm is stopped at the documented maximum render size, one line", () => {
    const dir = tempDir("flood");
    const chart = smallChart(dir);
    const helm = script(dir, "helm", `${VERSION}\nexec yes 'apiVersion: v1'`);
    assertRefused(cli(["check", "--no-probe", "--helm", helm, chart]), {
      file: chart,
      message: /^helm template printed more than 256 MiB, the most chartguard reads from one render$/,
    });
  });

  test("200 MB on stderr: the error is helm's last line, not 200 MB", () => {
    const dir = tempDir("flood");
    const chart = smallChart(dir);
    const helm = script(dir, "helm", `${VERSION}\nhead -c 200000000 /dev/zero | tr '\\0' x >&2\nprintf '\\nError: the real reason\\n' >&2\nexit 1`);
    const run = cli(["check", "--no-probe", "--helm", helm, chart]);
    assertRefused(run, { file: chart, message: /^the real reason$/ });
    const debug = cli(["--debug", "check", "--no-probe", "--helm", helm, chart]);
    assert.ok(debug.stderr.length < 100_000, `--debug shows a tail of helm's stderr, not ${debug.stderr.length} bytes`);
  });
});

describe("every helm call honours --helm-timeout", () => {
  /** A helm whose `helm version` hangs, and whose render works (and reports no version). */
  const hangingVersion = (dir: string) => script(dir, "helm", `if [ "$1" = "version" ]; then exec sleep 120; fi\n${MANIFEST}`);

  for (const [what, args] of [
    ["check", (chart: string) => ["check", chart]],
    ["check --no-probe", (chart: string) => ["check", "--no-probe", chart]],
    ["upgrade", (chart: string) => ["upgrade", "--from", chart, "--to", chart]],
  ] as const) {
    test(`${what}: a hanging helm version is stopped after --helm-timeout`, () => {
      const dir = tempDir("hang");
      const chart = smallChart(dir);
      const run = cli([...args(chart), "--helm", hangingVersion(dir), "--helm-timeout", "1"]);
      assertRefused(run, { message: /^could not read the version of helm at .* \(timed out after 1 s \(--helm-timeout\)\); install Helm/, withinMs: 20_000 });
    });
  }

  test("a timeout beyond what a timer holds is refused at once, in one line", () => {
    const run = cli(["check", "--helm-timeout", "3000000", "x.yaml"]);
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "chartguard: option '--helm-timeout <seconds>' argument '3000000' is invalid. must be at most 86400 seconds (one day); see chartguard --help\n");
  });
});

describe("special files", () => {
  test("a FIFO (named on the command line or found in a folder) is refused without opening it", () => {
    const dir = tempDir("fifo");
    const fifo = join(dir, "pipe.yaml");
    assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
    assertRefused(cli(["check", fifo], { timeoutMs: 20_000 }), { file: fifo, message: /^not a regular file \(a FIFO\); only stdin \(-\) is read as a stream$/, withinMs: 20_000 });
    // A folder walk reads only regular files: the FIFO is passed over, not opened.
    writeFile(dir, "ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    const walked = cli(["check", "-o", "json", dir], { timeoutMs: 20_000 });
    assert.equal(walked.status, 0, walked.stderr);
    assertRefused(cli(["upgrade", "--from", fifo, "--to", fifo], { timeoutMs: 20_000 }), { file: fifo, message: /^not a regular file \(a FIFO\)/, withinMs: 20_000 });
  });

  test("a device is refused too; stdin still works", () => {
    assertRefused(cli(["check", "/dev/zero"]), { file: "/dev/zero", message: /^not a regular file \(a character device\)/, withinMs: 20_000 });
    const run = cli(["check", "-o", "json", "-"], { input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" });
    assert.equal(run.status, 0, run.stderr);
  });
});

describe("SIGINT and SIGTERM end the run within a second, in every state", () => {
  /** Starts chartguard, waits until `ready` holds, sends `signal`: the run must end within a second, as interrupted. */
  async function interrupted(args: string[], signal: "SIGINT" | "SIGTERM", ready: (pid: number) => boolean, stdin?: string) {
    const run = cliAsync(args, stdin === undefined ? {} : { stdin });
    const isReady = () => handlesSignals(run.child.pid!) && ready(run.child.pid!);
    for (let i = 0; i < 400 && !isReady(); i++) await sleep(50);
    assert.ok(isReady(), "the run reached the state to interrupt");
    const sent = Date.now();
    run.child.kill(signal);
    const result = await Promise.race([run.done, sleep(5_000).then(() => undefined)]);
    if (result === undefined) {
      run.child.kill("SIGKILL");
      assert.fail(`still running 5 s after ${signal}`);
    }
    assert.ok(Date.now() - sent < 1_000, `ended ${Date.now() - sent} ms after ${signal}`);
    assert.equal(result.status, SIGNAL_EXIT_CODES[signal], result.stderr);
    assert.equal(result.stderr, `chartguard: interrupted by ${signal}; no report was produced\n`);
    assertTempClean(run.tmp);
  }

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`${signal} while reading a stdin that never ends`, async () => {
      const fifo = join(tempDir("sig"), "stdin");
      assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
      // Held open for writing and never written to: stdin stays open and empty.
      const writer = openSync(fifo, fsConstants.O_RDWR);
      try {
        await interrupted(["check", "-"], signal, readsStdin, fifo);
      } finally {
        closeSync(writer);
      }
    });

    test(`${signal} while helm hangs in its version check`, async () => {
      const dir = tempDir("sig");
      const chart = smallChart(dir);
      const started = join(dir, "started");
      const helm = script(dir, "helm", `if [ "$1" = "version" ]; then touch ${started}; exec sleep 120; fi\n${MANIFEST}`);
      await interrupted(["upgrade", "--helm", helm, "--from", chart, "--to", chart], signal, () => existsSync(started));
    });
  }
});

/**
 * The process around the analysis: unreadable input, an output file that cannot be
 * written, signals mid-run, and bad flags. Each ends in a short message and a known exit
 * code, with no partial output file and no temporary folder left behind.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SIGNAL_EXIT_CODES } from "../../src/cli/signals.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { assertRefused, assertTempClean, cli, cliAsync, FIXTURE_CHARTS, script, smallChart, tempDir, unprivilegedUid, writeFile } from "./support.ts";

const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";

describe("files chartguard cannot read or write", () => {
  test("an unreadable file or folder is named, with the reason", () => {
    const dir = tempDir();
    const file = writeFile(dir, "secret.yaml", configMap);
    const folder = join(dir, "locked");
    writeFile(folder, "x.yaml", configMap);
    chmodSync(file, 0o000);
    chmodSync(folder, 0o000);
    chmodSync(dir, 0o755);
    // root reads anything: run as nobody then.
    const uid = unprivilegedUid();
    const options = uid === undefined ? {} : { uid, cwd: dir };
    assertRefused(cli(["check", file], options), { file, message: /^cannot read: permission denied$/ });
    assertRefused(cli(["check", folder], options), { file: folder, message: /^cannot read directory: permission denied$/ });
    chmodSync(folder, 0o755);
  });

  test("--output-file in a folder that does not exist, or naming a folder: refused, nothing written", () => {
    const dir = tempDir();
    const input = writeFile(dir, "ok.yaml", configMap);
    const missing = join(dir, "no", "such", "folder", "report.json");
    assertRefused(cli(["check", "-o", "json", "--output-file", missing, input]), { file: missing, message: /^cannot write the report: the folder .* does not exist$/ });
    assert.equal(existsSync(join(dir, "no")), false);
    assertRefused(cli(["check", "--output-file", dir, input]), { file: dir, message: /^cannot write the report: this is a folder; name a file$/ });
    assert.deepEqual(readdirSync(dir), ["ok.yaml"]);
  });

  test("--debug adds the detail (Helm's whole output) after the one line", () => {
    const chart = join(FIXTURE_CHARTS, "broken-exec");
    const helm = helmBinaries()[0]!.path;
    const plain = cli(["check", "--helm", helm, chart]);
    assert.equal(plain.stderr.split("\n").length, 2);
    const debug = cli(["--debug", "check", "--helm", helm, chart]);
    assert.equal(debug.status, 2);
    const [first, ...rest] = debug.stderr.trimEnd().split("\n");
    assert.equal(first, plain.stderr.trimEnd());
    assert.match(rest.join("\n"), /^Error: /m);
  });
});

describe("signals mid-run", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`${signal} while helm runs: helm is stopped, temp folders removed, no report file, exit ${SIGNAL_EXIT_CODES[signal]}`, async () => {
      const dir = tempDir();
      const chart = smallChart(dir);
      const pids = join(dir, "pids");
      // One helm per run, each saying when it started (helm gets none of the test's environment).
      const started = [join(dir, "started-1"), join(dir, "started-2")];
      const [helm, helmOld] = started.map((marker, i) =>
        script(dir, `helm-${i + 1}`, `if [ "$1" = "version" ]; then echo v3.17.2+g0000000; exit 0; fi\nsleep 120 &\necho $! >> ${pids}\ntouch ${marker}\nwait`),
      ) as [string, string];
      const report = join(dir, "report.json");
      const old = join(dir, "old-report.txt");
      writeFile(dir, "old-report.txt", "the previous report\n");
      const run = cliAsync(["check", "--helm", helm, "-o", "json", "--output-file", report, chart]);
      const runOld = cliAsync(["check", "--helm", helmOld, "--output-file", old, chart]);
      for (let i = 0; i < 300 && !started.every((file) => existsSync(file)); i++) await sleep(50);
      if (!started.every((file) => existsSync(file))) {
        for (const r of [run, runOld]) r.child.kill("SIGKILL");
        assert.fail("helm was not started by both runs");
      }
      await sleep(200);
      run.child.kill(signal);
      runOld.child.kill(signal);
      for (const [r, label] of [[run, "new"], [runOld, "old"]] as const) {
        const result = await r.done;
        assert.equal(result.status, SIGNAL_EXIT_CODES[signal], `${label}: ${result.stderr}`);
        assert.equal(result.stderr, `chartguard: interrupted by ${signal}; no report was produced\n`);
        assert.equal(result.stdout, "");
        assertTempClean(r.tmp);
      }
      assert.equal(existsSync(report), false, "no report file");
      assert.equal(readFileSync(old, "utf8"), "the previous report\n", "an earlier report is left as it was");
      assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith(".tmp")), [], "no temporary report file");
      for (const pid of readFileSync(pids, "utf8").trim().split("\n").map(Number)) {
        assert.ok(await ends(pid), `helm's child ${pid} was stopped`);
      }
    });
  }
});

describe("flags", () => {
  test("unknown flags, commands and bad values: one line saying the problem and where help is, exit 2", () => {
    const input = writeFile(tempDir(), "ok.yaml", configMap);
    const cases: [string[], RegExp][] = [
      [["check", "--bogus", input], /^chartguard: unknown option '--bogus'; see chartguard --help$/],
      [["frobnicate"], /^chartguard: unknown command 'frobnicate'; see chartguard --help$/],
      [["check"], /^chartguard: missing required argument 'paths'; see chartguard --help$/],
      [["upgrade", "--to", input], /^chartguard: required option '--from <source>' not specified; see chartguard --help$/],
      [["check", "-o", "xml", input], /^chartguard: option '-o, --output <format>' argument 'xml' is invalid\. Allowed choices are /],
      [["check", "--fail-on", "sometimes", input], /argument 'sometimes' is invalid\. Allowed choices are error, warning, info, none\.; see chartguard --help$/],
      [["check", "--helm-timeout", "soon", input], /^chartguard: option '--helm-timeout <seconds>' argument 'soon' is invalid\. must be a positive number; see/],
      [["check", "--helm-timeout", "-1", input], /argument '-1' is invalid\. must be a positive number; see/],
      [["check", "--jobs", "1.5", input], /argument '1\.5' is invalid\. must be a whole number; see/],
      [["check", "-n", "Not_A_Namespace", input], /must be a valid namespace name/],
      [["check", "--kube-version", "latest", input], /must look like 1\.30 or v1\.30\.2; see chartguard --help$/],
      [["check", "--jobs", "0", input], /^chartguard: option '--jobs <n>' argument '0' is invalid\. must be a positive number; see chartguard --help$/],
      [["check", "--shard", "0/0", input], /^chartguard: option '--shard <i\/n>' argument '0\/0' is invalid\. must be i\/n with 1 <= i <= n, e\.g\. 2\/4; see chartguard --help$/],
      [["check", "--helm-timeout", "3000000", input], /^chartguard: option '--helm-timeout <seconds>' argument '3000000' is invalid\. must be at most 86400 seconds \(one day\); see/],
    ];
    for (const [args, expected] of cases) {
      const run = cli(args);
      const label = `${args.join(" ")}: ${run.stderr}`;
      assert.equal(run.status, 2, label);
      assert.equal(run.stdout, "", label);
      const lines = run.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, label);
      assert.match(lines[0]!, expected, label);
    }
  });
});

/** Whether the process has exited (or is a zombie waiting to be reaped) within a few seconds. */
async function ends(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 60; attempt++) {
    let state: string | undefined;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    } catch {
      return true;
    }
    if (state === "Z" || state === "X") return true;
    await sleep(50);
  }
  return false;
}

/**
 * Charts that cannot be rendered, and helm binaries that misbehave, through the real CLI:
 * one line naming the file (and line), exit 2, no temp folder left behind. The helm
 * adapter's own handling (error parsing, timeouts, process groups) is unit-tested in
 * test/render/helm-template.test.ts; these tests hold the CLI to the same promises.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { helmBinaries } from "../helpers/helm.ts";
import { assertRefused, assertTempClean, cli, FIXTURE_CHARTS, script, smallChart, tempDir, writeFile } from "./support.ts";
import { tarGz } from "../helpers/tar.ts";

const helm = helmBinaries()[0]!;
const withHelm = (...args: string[]) => ["check", "--helm", helm.path, ...args];

/** A stand-in helm that passes the version check and then runs `body` for `helm template`. */
function fakeHelm(body: string): string {
  return script(tempDir("fake-helm"), "helm", `if [ "$1" = "version" ]; then echo v3.17.2+g0000000; exit 0; fi\n${body}`);
}

describe("charts that cannot be rendered", () => {
  test("a chart folder without Chart.yaml is named as such, not read as manifests", () => {
    const chart = smallChart(tempDir());
    const withoutMeta = join(chart, "..", "no-meta");
    writeFile(withoutMeta, "values.yaml", "a: 1\n");
    writeFile(withoutMeta, "templates/x.yaml", "kind: {{ .Values.a }}\n");
    assertRefused(cli(withHelm(withoutMeta)), { file: withoutMeta, message: /^looks like a Helm chart \(templates\/ and values\.yaml\) but has no Chart\.yaml$/ });
  });

  for (const binary of helmBinaries()) {
    test(`a broken template: Helm ${binary.major}'s message on one line, naming the template file and line`, () => {
      const chart = join(FIXTURE_CHARTS, "broken-exec");
      assertRefused(cli(["check", "--helm", binary.path, chart]), {
        file: join(chart, "templates", "_helpers.tpl"),
        line: 3,
        message: /nil pointer evaluating interface \{\}\.level$/,
      });
    });
  }

  test("missing dependencies name Chart.yaml and say how to fix it", () => {
    const chart = join(FIXTURE_CHARTS, "with-deps");
    assertRefused(cli(withHelm(chart)), {
      file: join(chart, "Chart.yaml"),
      message: /^chart .* declares dependencies missing from charts\/: redis, postgresql \(run `helm dependency build`, or pass --skip-missing-deps/,
    });
  });

  test("a chart that renders nothing is not an error, and the report says nothing of it was checked", () => {
    const chart = join(tempDir(), "empty");
    writeFile(chart, "Chart.yaml", "apiVersion: v2\nname: empty\nversion: 0.1.0\n");
    writeFile(chart, "templates/off.yaml", "{{- if .Values.enabled }}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n{{- end }}\n");
    const run = cli(withHelm("-o", "json", chart));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "");
    const report = JSON.parse(run.stdout) as { notes: { file: string; message: string }[] };
    assert.deepEqual(report.notes, [{ file: chart, message: "the chart rendered no objects with these values: nothing of it was checked" }]);
    assertTempClean(run.tmp);
  });

  test("values files that do not exist are named before helm runs; URLs are refused (no network)", () => {
    const chart = smallChart(tempDir());
    const missing = join(tempDir(), "nope.yaml");
    assertRefused(cli(withHelm("-f", missing, chart)), { file: missing, message: /^-f\/--values: no such file$/ });
    assertRefused(cli(withHelm("--set-file", `motd=${missing}`, chart)), { file: missing, message: /^--set-file: no such file$/ });
    assertRefused(cli(withHelm("-f", "https://example.com/values.yaml", chart)), {
      file: "https://example.com/values.yaml",
      message: /^-f\/--values names a URL; chartguard never reaches the network/,
    });
    assertRefused(cli(["upgrade", "--helm", helm.path, "--from", chart, "--to", chart, "--to-values", missing]), { file: missing, message: /no such file/ });
  });

  test("no helm anywhere: says how to get one", () => {
    const chart = smallChart(tempDir());
    const run = cli(["check", chart], { env: { PATH: tempDir("empty-path"), HELM_BIN: "" } });
    assertRefused(run, { message: /^helm not found: install Helm 3\.8\+ or pass --helm PATH \/ set HELM_BIN$/ });
  });

  test("helm crashing on a signal names the chart and the signal", () => {
    const chart = smallChart(tempDir());
    const crashing = fakeHelm('echo "panic: runtime error: invalid memory address" >&2\nkill -SEGV $$');
    assertRefused(cli(["check", "--helm", crashing, chart]), { file: chart, message: /^helm \(.*\) was killed by SIGSEGV while rendering the chart$/ });
  });

  test("helm hanging: --helm-timeout stops it (and its children) and says which option to raise", () => {
    const chart = smallChart(tempDir());
    const marker = join(tempDir(), "child.pid");
    const hanging = fakeHelm(`sleep 60 &\necho $! > ${marker}\nwait`);
    const run = cli(["check", "--helm", hanging, "--helm-timeout", "1", chart]);
    assertRefused(run, { file: chart, message: /^helm template timed out after 1 s \(--helm-timeout\)$/, withinMs: 20_000 });
    const pid = Number(readFileSync(marker, "utf8"));
    assert.ok(!processAlive(pid), "helm's child process was killed too");
  });

  test("a symlink pointing outside the chart is refused before helm reads it", () => {
    const dir = tempDir();
    const secret = writeFile(dir, "outside/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: stolen}\nstringData: {password: hunter2}\n");
    const chart = smallChart(dir);
    const link = join(chart, "templates", "leak.yaml");
    symlinkSync(secret, link);
    const run = cli(withHelm(chart));
    assertRefused(run, { file: link, message: /^symlink points outside the chart \(to .*secret\.yaml\); refusing to render/ });
    assert.doesNotMatch(run.stdout + run.stderr, /hunter2/);
    // A directory link out of the chart, and one that stays inside, for contrast.
    const chart2 = smallChart(dir, "dirlink");
    symlinkSync(join(dir, "outside"), join(chart2, "files"));
    assertRefused(cli(withHelm(chart2)), { file: join(chart2, "files"), message: /^symlink points outside the chart/ });
    const chart3 = smallChart(dir, "inside");
    symlinkSync(join(chart3, "templates", "service.yaml"), join(chart3, "templates", "service-again.yaml"));
    const inside = cli(withHelm(chart3));
    assert.notEqual(inside.status, 2, inside.stderr);
  });

  for (const [what, name] of [
    ["an absolute path", "/tmp/chartguard-hostile-absolute-entry.txt"],
    ["a .. entry", "evil/../../chartguard-hostile-dotdot-entry.txt"],
  ] as const) {
    test(`a .tgz with ${what} is refused before anything is written`, () => {
      const dir = tempDir();
      const archive = writeFile(dir, "evil-0.1.0.tgz", tarGz([
        { name: "evil/Chart.yaml", content: "apiVersion: v2\nname: evil\nversion: 0.1.0\n" },
        { name, content: "pwned" },
      ]));
      const run = cli(withHelm(archive), { cwd: dir });
      assertRefused(run, { file: archive, message: /^refusing archive entry ".*": (absolute path|path leads out of the archive)/ });
      assert.equal(existsSync("/tmp/chartguard-hostile-absolute-entry.txt"), false);
      assert.equal(existsSync(join(run.tmp, "..", "chartguard-hostile-dotdot-entry.txt")), false);
      assert.equal(existsSync(join(dir, "..", "chartguard-hostile-dotdot-entry.txt")), false);
    });
  }
});

function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

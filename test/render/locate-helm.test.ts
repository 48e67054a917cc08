import assert from "node:assert/strict";
import { readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { check } from "../../src/check.ts";
import { InputError } from "../../src/errors.ts";
import { locateHelm, takeVersionReport, VERSION_REPORT_FILE } from "../../src/render/helm.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { fakeHelmScript, fixtureChart, tempDir } from "./support.ts";

const NOT_FOUND = "helm not found: install Helm 3.8+ or pass --helm PATH / set HELM_BIN";

/** A PATH holding one directory with `helm` linked to the given binary. */
async function pathWithHelm(binary: string): Promise<string> {
  const dir = await tempDir("path");
  await symlink(binary, join(dir, "helm"));
  return dir;
}

describe("locateHelm", () => {
  for (const helm of helmBinaries()) {
    test(`accepts Helm ${helm.major} given with --helm and reads its version`, async () => {
      const located = await locateHelm(helm.path, { PATH: "" });
      assert.deepEqual(located, { path: helm.path, version: helm.version, major: helm.major });
      assert.match(located.version, new RegExp(`^v${helm.major}\\.\\d+\\.\\d+`));
    });
  }

  test("prefers --helm over $HELM_BIN over PATH", async () => {
    const [helm3, helm4] = helmBinaries();
    const onPath = await pathWithHelm(helm3!.path);
    assert.equal((await locateHelm(undefined, { PATH: onPath })).path, join(onPath, "helm"));
    assert.equal((await locateHelm(undefined, { PATH: onPath, HELM_BIN: helm4!.path })).major, 4);
    assert.equal((await locateHelm(helm3!.path, { PATH: onPath, HELM_BIN: helm4!.path })).major, 3);
  });

  test("looks a bare command name in --helm or $HELM_BIN up on PATH", async () => {
    const dir = await tempDir("path");
    await symlink(helmBinaries()[1]!.path, join(dir, "helm4"));
    assert.equal((await locateHelm("helm4", { PATH: dir })).major, 4);
    assert.equal((await locateHelm(undefined, { PATH: dir, HELM_BIN: "helm4" })).major, 4);
  });

  test("says how to get helm when there is none on PATH", async () => {
    const emptyDir = await tempDir("path");
    await assert.rejects(locateHelm(undefined, { PATH: emptyDir }), (error) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.message, NOT_FOUND);
      return true;
    });
    await assert.rejects(locateHelm(undefined, {}), { message: NOT_FOUND });
  });

  test("names the path when --helm or $HELM_BIN point at nothing runnable", async () => {
    const dir = await tempDir("path");
    const notExecutable = join(dir, "helm");
    await writeFile(notExecutable, "#!/bin/sh\necho v3.17.0\n", { mode: 0o644 });
    await assert.rejects(locateHelm(join(dir, "missing")), {
      name: "InputError",
      message: `helm not found: ${join(dir, "missing")} (from --helm) is not an executable file; install Helm 3.8+ or pass --helm PATH / set HELM_BIN`,
    });
    await assert.rejects(locateHelm(undefined, { PATH: "", HELM_BIN: notExecutable }), {
      message: new RegExp(`^helm not found: ${notExecutable} \\(from HELM_BIN\\)`),
    });
  });

  test("refuses a Helm older than 3.8, naming its version", async () => {
    const old = await fakeHelmScript('echo "v3.5.0+g32c2223"');
    await assert.rejects(locateHelm(old), (error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /^helm at .* is v3\.5\.0\+g32c2223, but chartguard needs Helm 3\.8 or newer/);
      return true;
    });
  });

  test("refuses Helm 2, which prints its client version and then fails to reach Tiller", async () => {
    const helm2 = await fakeHelmScript('echo "Client: v2.17.0+ga690bad"\necho "Error: could not find tiller" >&2\nexit 1');
    await assert.rejects(locateHelm(helm2), { message: /is v2\.17\.0\+ga690bad, but chartguard needs Helm 3\.8/ });
  });

  test("accepts 3.8.0 exactly", async () => {
    const helm38 = await fakeHelmScript('echo "v3.8.0+gd141386"');
    assert.deepEqual(await locateHelm(helm38), { path: helm38, version: "v3.8.0+gd141386", major: 3 });
  });

  test("refuses a program that prints no version", async () => {
    const impostor = await fakeHelmScript('echo "usage: something else" >&2\nexit 2');
    await assert.rejects(locateHelm(impostor), {
      message: /^could not read the version of helm at .* \(usage: something else\)/,
    });
  });
});

/**
 * A fake helm for check(): `helm version` prints `version`; `helm template` fails with
 * `renderError` if given, else prints one ConfigMap and, for a chart holding the version
 * report template, the report with `reported`. Every subcommand is logged to `log`.
 */
async function fakeHelmForCheck(log: string, answers: { version: string; reported?: string; renderError?: string }): Promise<string> {
  const render =
    answers.renderError === undefined
      ? [
          'printf -- "---\\n# Source: basic/templates/cm.yaml\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: cm\\n"',
          `if [ -f "$chart/templates/${VERSION_REPORT_FILE}" ]; then printf -- "---\\n# Source: basic/templates/${VERSION_REPORT_FILE}\\n# chartguard-helm-version: ${answers.reported ?? ""}\\n"; fi`,
        ].join("\n")
      : `echo "Error: ${answers.renderError}" >&2; exit 1`;
  return fakeHelmScript(
    [`echo "$1" >> ${log}`, 'for chart; do :; done', `if [ "$1" = "version" ]; then echo "${answers.version}"; exit 0; fi`, render].join("\n"),
  );
}

describe("the version check of check(): read from a probe render where one reports it", () => {
  for (const helm of helmBinaries()) {
    test(`Helm ${helm.major} reports its version in the probe render: no \`helm version\` run`, async () => {
      const log = join(await tempDir("helm-log"), "log");
      const logging = await fakeHelmScript(`echo "$1" >> ${log}\nexec ${helm.path} "$@"`);
      const result = await check({ inputs: [fixtureChart("basic")], helm: logging });
      assert.ok(result.findings.every((finding) => !finding.location.template?.includes(VERSION_REPORT_FILE)));
      assert.deepEqual((await readFile(log, "utf8")).trim().split("\n"), ["template", "template"]);
    });
  }

  test("refuses a Helm older than 3.8 that renders, by the version its render reports", async () => {
    const log = join(await tempDir("helm-log"), "log");
    const old = await fakeHelmForCheck(log, { version: "must not be asked", reported: "v3.5.0+g32c2223" });
    await assert.rejects(check({ inputs: [fixtureChart("basic")], helm: old }), {
      name: "InputError",
      message: /^helm at .* is v3\.5\.0\+g32c2223, but chartguard needs Helm 3\.8 or newer/,
    });
    assert.doesNotMatch(await readFile(log, "utf8"), /version/);
  });

  test("asks `helm version` when no render reports a version, and its error comes before the render's", async () => {
    const log = join(await tempDir("helm-log"), "log");
    const helm2 = await fakeHelmForCheck(log, { version: "Client: v2.17.0+ga690bad", renderError: 'unknown command "template" for "helm"' });
    await assert.rejects(check({ inputs: [fixtureChart("basic")], helm: helm2 }), { message: /is v2\.17\.0\+ga690bad, but chartguard needs Helm 3\.8/ });
    const silent = await fakeHelmForCheck(log, { version: "v3.17.2+gcc0bbbd", reported: "" });
    await check({ inputs: [fixtureChart("basic")], helm: silent });
    assert.match(await readFile(log, "utf8"), /^version$/m);
  });

  test("takeVersionReport cuts the report's document out of the output", () => {
    const report = `---\n# Source: web/templates/${VERSION_REPORT_FILE}\n# chartguard-helm-version: v4.1.4+g05fa379\n`;
    const chart = "---\n# Source: web/templates/a.yaml\nkind: A\n";
    assert.deepEqual(takeVersionReport(`${chart}${report}${chart}`, "web"), { output: `${chart}${chart}`, version: "v4.1.4+g05fa379" });
    assert.deepEqual(takeVersionReport(chart, "web"), { output: chart });
    assert.deepEqual(takeVersionReport(report, "other"), { output: report }, "another chart's template of that name is its own");
    // helm's output as bytes: the same cut, a character outside ASCII before it included.
    const quoted = "---\n# Source: web/templates/a.yaml\nnote: \u201cx\u201d\n";
    const bytes = takeVersionReport(Buffer.from(`${quoted}${report}${chart}`), "web");
    assert.deepEqual({ output: bytes.output.toString("utf8"), version: bytes.version }, { output: `${quoted}${chart}`, version: "v4.1.4+g05fa379" });
  });
});

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { InputError } from "../../src/errors.ts";
import { check } from "../../src/check.ts";
import { templateTextFacts } from "../../src/chart-facts.ts";
import { renderChartsForCheck } from "../../src/check-render.ts";
import { renderCharts } from "../../src/render/charts.ts";
import { chartRefusal, helmTemplate as renderBytes, type Helm, type RenderOptions, type RenderRequest } from "../../src/render/helm.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { fakeHelm, fixtureChart, renderRequest, tempDir } from "./support.ts";

const TIMEOUT = { timeoutMs: 30_000 };

/** helmTemplate's output as text. */
const helmTemplate = async (helm: Helm, request: RenderRequest, options: RenderOptions) => (await renderBytes(helm, request, options)).toString("utf8");

function documents(manifest: string): Record<string, unknown>[] {
  return parseAllDocuments(manifest)
    .map((document) => document.toJS() as Record<string, unknown> | null)
    .filter((value): value is Record<string, unknown> => value !== null);
}

function configMapData(manifest: string): Record<string, string> {
  const configMap = documents(manifest).find((object) => object["kind"] === "ConfigMap");
  return (configMap?.["data"] ?? {}) as Record<string, string>;
}

/** Sets environment variables for one test, restoring the previous values afterwards. */
async function withEnvironment<T>(values: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

async function renderError(helm: Helm, chart: string, reportAs?: string): Promise<InputError> {
  const options = reportAs === undefined ? TIMEOUT : { ...TIMEOUT, reportAs };
  const error = await helmTemplate(helm, renderRequest(chart), options).then(
    () => assert.fail("helm template should have failed"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
  return error;
}

for (const helm of helmBinaries()) {
  describe(`helmTemplate with Helm ${helm.major}`, () => {
    test("renders the basic chart", async () => {
      const objects = documents(await helmTemplate(helm, renderRequest(fixtureChart("basic")), TIMEOUT));
      assert.deepEqual(
        objects.map((object) => `${String(object["kind"])}/${String((object["metadata"] as { name: string }).name)}`).sort(),
        ["Deployment/rel-basic", "Service/rel-basic"],
      );
    });

    test("check reads a ConfigMap's data only when probes compare it with other renders", async () => {
      const dataOf = async (probe: boolean) => {
        const { rendered } = await renderChartsForCheck([{ kind: "chart", path: fixtureChart("render-inputs") }], { namespace: "default", helm: helm.path, probe, jobs: 1 });
        const configMap = rendered[0]!.docs.find((doc) => (doc.value as { kind?: string } | null)?.kind === "ConfigMap")!;
        assert.equal((configMap.value as { metadata: { name: string } }).metadata.name, "render-inputs-inputs");
        return (configMap.value as { data?: Record<string, string> }).data;
      };
      assert.equal(await dataOf(false), undefined);
      assert.equal((await dataOf(true))?.release, "render-inputs");
    });

    test("check's templates reach onTemplatesRead once read, while helm may still render: the map the rendered chart carries, whose text facts are worked out once", async () => {
      let seen: ReadonlyMap<string, string> | undefined;
      const { rendered } = await renderCharts([{ kind: "chart", path: fixtureChart("basic") }], { namespace: "default", helm: helm.path, probe: false, jobs: 1 }, {
        onTemplatesRead: (templates) => (seen = templates),
      });
      assert.equal(seen, rendered[0]!.templates);
      assert.deepEqual([...seen!.keys()].sort(), ["templates/_helpers.tpl", "templates/deployment.yaml", "templates/service.yaml"]);
      assert.equal(templateTextFacts(seen!), templateTextFacts(rendered[0]!.templates));
    });

    test("passes every input flag through", async () => {
      const dir = await tempDir("inputs");
      const valuesFile = join(dir, "values.yaml");
      const setFile = join(dir, "motd.txt");
      await writeFile(valuesFile, "fromValuesFile: from-file\n");
      await writeFile(setFile, "hello from a file");
      const request = renderRequest(fixtureChart("render-inputs"), {
        release: "inputs",
        namespace: "team-a",
        valuesFiles: [valuesFile],
        set: ["viaSet=from-set", "dashValue=-x"],
        setString: ["viaSetString=123"],
        setJson: ['viaSetJson={"a":[1,2]}'],
        setFile: [`viaSetFile=${setFile}`],
        kubeVersion: "1.29.3",
        apiVersions: ["example.com/v1"],
      });
      assert.deepEqual(configMapData(await helmTemplate(helm, request, TIMEOUT)), {
        release: "inputs",
        namespace: "team-a",
        fromValuesFile: "from-file",
        viaSet: "from-set",
        dashValue: "-x",
        viaSetStringKind: "string",
        viaSetJson: '{"a":[1,2]}',
        viaSetFile: "hello from a file",
        kubeVersion: "v1.29.3",
        hasExampleApi: "true",
      });
    });

    test("ignores the user's HELM_* settings, plugins, repositories and kubeconfig, and writes nothing to HOME", async () => {
      const user = await tempDir("user");
      const dirs = {
        HOME: join(user, "home"),
        HELM_CONFIG_HOME: join(user, "config"),
        HELM_CACHE_HOME: join(user, "cache"),
        HELM_DATA_HOME: join(user, "data"),
        HELM_PLUGINS: join(user, "plugins"),
      };
      for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
      // A plugin Helm cannot load, and a repositories file it cannot read: either would show on use.
      await mkdir(join(dirs.HELM_PLUGINS, "broken"));
      await writeFile(join(dirs.HELM_PLUGINS, "broken", "plugin.yaml"), "name: [unclosed\n");
      await writeFile(join(dirs.HELM_CONFIG_HOME, "repositories.yaml"), "repositories: {not: a list\n");
      const kubeconfig = join(user, "kubeconfig");
      await writeFile(
        kubeconfig,
        [
          "apiVersion: v1",
          "kind: Config",
          "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]",
          "users: [{name: u, user: {token: x}}]",
          "contexts: [{name: ctx, context: {cluster: c, user: u, namespace: from-kubeconfig}}]",
          "current-context: ctx",
        ].join("\n"),
      );
      const environment = {
        ...dirs,
        HELM_REPOSITORY_CONFIG: join(dirs.HELM_CONFIG_HOME, "repositories.yaml"),
        HELM_NAMESPACE: "from-helm-namespace",
        HELM_DEBUG: "true",
        KUBECONFIG: kubeconfig,
      };
      const before = await listTree(user);
      // No namespace flag: Helm would otherwise take it from $HELM_NAMESPACE or the kubeconfig context.
      const manifest = await withEnvironment(environment, () =>
        helmTemplate(helm, renderRequest(fixtureChart("render-inputs"), { namespace: "" }), TIMEOUT),
      );
      assert.equal(configMapData(manifest)["namespace"], "default");
      assert.deepEqual(await listTree(user), before, "nothing was written to the user's HOME or HELM_* dirs");
    });

    test("names the template file and line of a template execution error (the innermost helper)", async () => {
      const chart = fixtureChart("broken-exec");
      const error = await renderError(helm, chart);
      assert.equal(error.file, join(chart, "templates", "_helpers.tpl"));
      assert.equal(error.line, 3);
      assert.match(error.message, /executing "broken-exec\.settings" at <\.Values\.config\.level>: nil pointer evaluating interface \{\}\.level$/);
      assert.doesNotMatch(error.message, /^Error:|\n/);
      assert.match(error.detail ?? "", /^Error: /m);
    });

    test("names the template file and line of a template parse error", async () => {
      const chart = fixtureChart("broken-parse");
      const error = await renderError(helm, chart);
      assert.equal(error.file, join(chart, "templates", "service.yaml"));
      assert.equal(error.line, 7);
      assert.equal(error.message, 'parse error at (broken-parse/templates/service.yaml:7): unexpected "}" in operand');
    });

    test("names the template and Helm's line for rendered output that is not YAML", async () => {
      const chart = fixtureChart("broken-yaml");
      const error = await renderError(helm, chart);
      assert.equal(error.file, join(chart, "templates", "configmap.yaml"));
      // Helm counts the line within the template's rendered output, from its own start.
      assert.equal(error.line, 7);
      assert.match(error.message, /^YAML parse error on broken-yaml\/templates\/configmap\.yaml: .*yaml: line 7: did not find expected key$/);
    });

    test("a crds/ file written as a template: the error names that file and line, and says helm install fails on it too", async () => {
      const chart = fixtureChart("broken-crds");
      const error = await check({ inputs: [chart], helm: helm.path, probe: false }).then(
        () => assert.fail("the check should fail"),
        (failure: unknown) => failure as InputError,
      );
      assert.equal(error.file, join(chart, "crds", "widgets.yaml"));
      assert.equal(error.line, 5);
      assert.match(error.message, /^YAML syntax error: .*: Helm installs the files of crds\/ as they are, not as templates, so `helm install` fails on this file too/);
    });

    test("names files under reportAs when rendering a copy of the chart", async () => {
      const error = await renderError(helm, fixtureChart("broken-parse"), "charts/mine");
      assert.equal(error.file, join("charts/mine", "templates", "service.yaml"));
    });

    test("names the chart when Helm's error is not about a template", async () => {
      const chart = fixtureChart("with-deps");
      const error = await renderError(helm, chart);
      assert.equal(error.file, chart);
      assert.equal(error.line, undefined);
      assert.match(error.message, /found in Chart\.yaml, but missing in charts\/ directory: redis, postgresql$/);
    });
  });
}

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const described = await Promise.all(
    entries.map(async (entry) => {
      const file = join(entry.parentPath, entry.name);
      return entry.isFile() ? `${file} ${await readFile(file, "utf8")}` : file;
    }),
  );
  return described.sort();
}

describe("helmTemplate process handling (fake helm scripts)", () => {
  test("runs `helm template` with flags, `--`, release and chart, and never a post-renderer", async () => {
    const helm = await fakeHelm('printf "%s\\n" "$@"');
    const output = await helmTemplate(
      helm,
      renderRequest("./chart", { valuesFiles: ["v.yaml"], set: ["a=-1"], kubeVersion: "1.30.0", apiVersions: ["x/v1"] }),
      TIMEOUT,
    );
    assert.deepEqual(output.trim().split("\n"), [
      "template",
      "--namespace=ns",
      "--include-crds",
      "--values=v.yaml",
      "--set=a=-1",
      "--kube-version=1.30.0",
      "--api-versions=x/v1",
      "--",
      "rel",
      "./chart",
    ]);
  });

  test("a probe render (includeCrds: false) leaves the crds/ folders out", async () => {
    const helm = await fakeHelm('printf "%s\\n" "$@"');
    const output = await helmTemplate(helm, { ...renderRequest("./chart"), includeCrds: false }, TIMEOUT);
    assert.deepEqual(output.trim().split("\n"), ["template", "--namespace=ns", "--", "rel", "./chart"]);
  });

  test("gives helm a fresh empty home, no plugins and no kubeconfig, and removes it afterwards", async () => {
    const helm = await fakeHelm("env; ls -A \"$HELM_PLUGINS\" | wc -l | sed 's/^ */plugins=/'");
    const output = await withEnvironment({ HELM_PLUGINS: "/user/plugins", HELM_POST_RENDERER: "evil", KUBECONFIG: "/user/kube" }, () =>
      helmTemplate(helm, renderRequest("./chart"), TIMEOUT),
    );
    const environment = new Map(
      output
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const),
    );
    const home = environment.get("HOME") ?? "";
    assert.match(home, /chartguard-helm-/);
    for (const name of ["HELM_CONFIG_HOME", "HELM_CACHE_HOME", "HELM_DATA_HOME", "HELM_PLUGINS", "HELM_REPOSITORY_CONFIG", "KUBECONFIG"]) {
      assert.ok(environment.get(name)?.startsWith(`${home}/`), `${name} lies in the fresh home`);
    }
    assert.equal(environment.get("plugins"), "0", "no plugins: the folder inside the fresh home does not even exist");
    assert.equal(environment.get("HELM_POST_RENDERER"), undefined);
    assert.equal(existsSync(home), false, "the fresh home is removed");
  });

  test("kills helm and its children on timeout and says which option to raise", async () => {
    const dir = await tempDir("timeout");
    const helm = await fakeHelm(`echo "$HOME" > ${dir}/home\nsleep 30 &\necho $! > ${dir}/sleep.pid\nwait`);
    const started = Date.now();
    await assert.rejects(helmTemplate(helm, renderRequest("./chart"), { timeoutMs: 500 }), (error) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.message, "helm template timed out after 0.5 s (--helm-timeout)");
      return true;
    });
    assert.ok(Date.now() - started < 5_000, "rejected soon after the timeout");
    const sleepPid = Number(await readFile(join(dir, "sleep.pid"), "utf8"));
    assert.ok(await processEnds(sleepPid), "the script's child was killed too");
    assert.equal(existsSync((await readFile(join(dir, "home"), "utf8")).trim()), false, "the fresh home is removed");
  });

  test("stops helm when the caller aborts", async () => {
    const helm = await fakeHelm("sleep 30");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await assert.rejects(helmTemplate(helm, renderRequest("./chart"), { timeoutMs: 30_000, signal: controller.signal }), {
      name: "AbortError",
    });
    assert.ok(Date.now() - started < 5_000);
  });

  test("reports a helm that crashes on a signal", async () => {
    const helm = await fakeHelm('echo "panic: runtime error" >&2\nkill -SEGV $$');
    await assert.rejects(helmTemplate(helm, renderRequest("./chart"), TIMEOUT), (error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /was killed by SIGSEGV/);
      assert.match(error.detail ?? "", /panic: runtime error/);
      return true;
    });
  });

  test("reports a failure without an `Error:` line by its first stderr line, or its exit code", async () => {
    await assert.rejects(helmTemplate(await fakeHelm('echo "something odd" >&2\nexit 3'), renderRequest("./c"), TIMEOUT), {
      message: "something odd",
    });
    await assert.rejects(helmTemplate(await fakeHelm("exit 3"), renderRequest("./c"), TIMEOUT), {
      message: "helm template failed with exit code 3",
    });
  });

  test("collects 100 MB of output", async () => {
    const size = 100 * 1024 * 1024;
    const helm = await fakeHelm(`head -c ${size} /dev/zero | tr '\\0' 'a'`);
    const output = await helmTemplate(helm, renderRequest("./chart"), TIMEOUT);
    assert.equal(output.length, size);
    assert.equal(output.at(-1), "a");
  });
});

/** Whether the process is gone or a zombie (killed, waiting for init to reap it) within 2.5 s. */
async function processEnds(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
    const state = stat?.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === undefined || state === "Z" || state === "X") return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

test("chartRefusal: the first sentence of a chart's own fail or required, shortened; nothing for any other failure", () => {
  const failed = (message: string) => new InputError(message, "chart/templates/NOTES.txt", 2);
  assert.equal(
    chartRefusal(failed("execution error at (db/templates/NOTES.txt:2:4): PASSWORDS ERROR: You must provide your current password. Pass it with --set password=$P")),
    "PASSWORDS ERROR: You must provide your current password.",
  );
  assert.equal(chartRefusal(failed("execution error at (db/templates/secret.yaml:7:20): a password is required")), "a password is required");
  assert.equal(chartRefusal(failed(`execution error at (db/templates/a.yaml:1:1): ${"x".repeat(300)}`))?.length, 160);
  assert.equal(chartRefusal(failed('template: db/templates/a.yaml:3:9: executing "db/templates/a.yaml" at <.Values.x.y>: nil pointer evaluating interface {}.y')), undefined);
  assert.equal(chartRefusal(new Error("execution error at (x): y")), undefined);
});

/**
 * The Helm plugin end to end, with the real Helm 3 and Helm 4: `helm plugin install` of
 * this repository into isolated Helm folders, then `helm chartguard ...`. There is no
 * cluster, so `helm` is a wrapper that answers `get manifest` / `get values` from fixtures
 * (logging how it was called) and hands everything else to the real binary under the
 * wrapper's name, so that Helm sets HELM_BIN to the wrapper for the plugin.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { helmBinaries, type TestHelm } from "../helpers/helm.ts";
import { PROJECT_ROOT, run, writeChartguardWrapper } from "./run.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-helm-plugin-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const chartguardBin = writeChartguardWrapper(path.join(tmp, "chartguard"));

/** Version 2 of the chart: `team` from values goes into the selector (F1). */
const CHART_DIR = path.join(tmp, "web");
mkdirSync(path.join(CHART_DIR, "templates"), { recursive: true });
writeFileSync(path.join(CHART_DIR, "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 2.0.0\nappVersion: \"2.0\"\n");
writeFileSync(path.join(CHART_DIR, "values.yaml"), 'team: ""\nimage: nginx:1.27\n');
writeFileSync(
  path.join(CHART_DIR, "templates", "deployment.yaml"),
  `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels:
      app: web
      {{- with .Values.team }}
      team: {{ . }}
      {{- end }}
  template:
    metadata:
      labels:
        app: web
        {{- with .Values.team }}
        team: {{ . }}
        {{- end }}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
`,
);

/** What `helm get manifest shop-web -n shop` prints: version 1, installed with `--set team=payments`. */
const DEPLOYED_MANIFEST = `---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-web
spec:
  selector:
    matchLabels:
      app: web
      team: payments
  template:
    metadata:
      labels:
        app: web
        team: payments
    spec:
      containers:
        - name: web
          image: nginx:1.25
`;
const DEPLOYED_VALUES = "team: payments\n";

interface HelmHome {
  helm: string;
  log: string;
  env: NodeJS.ProcessEnv;
}

function helmHome(real: TestHelm): HelmHome {
  const home = path.join(tmp, `helm${real.major}`);
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, "manifest.yaml"), DEPLOYED_MANIFEST);
  writeFileSync(path.join(home, "values.yaml"), DEPLOYED_VALUES);
  const log = path.join(home, "calls.log");
  const helm = path.join(home, "helm");
  writeFileSync(
    helm,
    `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "${log}"
if [ "$1" = get ]; then
  if [ "$3" != shop-web ]; then echo "Error: release: not found" >&2; exit 1; fi
  case "$2" in
    manifest) cat "${home}/manifest.yaml"; exit 0 ;;
    values) cat "${home}/values.yaml"; exit 0 ;;
  esac
fi
exec -a "$0" "${real.path}" "$@"
`,
  );
  chmodSync(helm, 0o755);
  const data = path.join(home, "data");
  return {
    helm,
    log,
    env: {
      HELM_DATA_HOME: data,
      HELM_CONFIG_HOME: path.join(home, "config"),
      HELM_CACHE_HOME: path.join(home, "cache"),
      // Helm 4 installs into $HELM_DATA_HOME/plugins whatever HELM_PLUGINS says; keep them one folder.
      HELM_PLUGINS: path.join(data, "plugins"),
      HELM_NAMESPACE: "",
      HELM_BIN: "",
      CHARTGUARD_BIN: chartguardBin,
    },
  };
}

function calls(home: HelmHome): string[] {
  const text = readFileSync(home.log, "utf8");
  writeFileSync(home.log, "");
  return text.split("\n").filter((line) => line.startsWith("get "));
}

test("plugin.yaml: the plugin's version is the package's, and its command is the shipped script", () => {
  const plugin = parse(readFileSync(path.join(PROJECT_ROOT, "plugin.yaml"), "utf8")) as Record<string, unknown>;
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string; files: string[] };
  assert.equal(plugin.name, "chartguard");
  assert.equal(plugin.version, pkg.version);
  assert.equal(plugin.command, "$HELM_PLUGIN_DIR/scripts/helm-plugin.sh");
  assert.ok(pkg.files.includes("plugin.yaml") && pkg.files.includes("scripts/helm-plugin.sh"), "the npm package carries the plugin");
});

for (const real of helmBinaries()) {
  test(`helm ${real.major}: helm plugin install, then helm chartguard upgrade / check`, () => {
    const home = helmHome(real);
    const install = run(home.helm, ["plugin", "install", PROJECT_ROOT], { env: home.env });
    assert.equal(install.status, 0, install.stderr);
    assert.match(install.stdout, /Installed plugin: chartguard/);
    const list = run(home.helm, ["plugin", "list"], { env: home.env });
    assert.match(list.stdout, /^chartguard\s+0\.1\.0/m);

    // The deployed values are reused: team stays in the selector, only the image rolls.
    const upgrade = run(home.helm, ["chartguard", "upgrade", "shop-web", CHART_DIR, "-n", "shop", "-o", "json"], { env: home.env });
    assert.equal(upgrade.status, 0, upgrade.stderr);
    assert.deepEqual(calls(home), ["get manifest shop-web -n shop", "get values shop-web -n shop -o yaml"]);
    const plan = JSON.parse(upgrade.stdout);
    assert.deepEqual(plan.findings.filter((f: { severity: string }) => f.severity === "error"), []);
    assert.deepEqual(plan.impact.rolled.map((r: { object: { namespace: string; name: string } }) => `${r.object.namespace}/${r.object.name}`), ["shop/shop-web"]);
    assert.deepEqual([plan.impact.created, plan.impact.deleted], [[], []], "the release name pairs the objects");

    // --reset-values renders the chart's defaults: team leaves the immutable selector.
    const reset = run(home.helm, ["chartguard", "upgrade", "shop-web", CHART_DIR, "--namespace", "shop", "--reset-values", "-o", "json"], { env: home.env });
    assert.equal(reset.status, 1, reset.stderr);
    assert.deepEqual(calls(home), ["get manifest shop-web -n shop"]);
    const refused = JSON.parse(reset.stdout).findings.filter((f: { severity: string }) => f.severity === "error");
    assert.deepEqual(refused.map((f: { rule: string; path: string }) => [f.rule, f.path]), [["immutable-field", "spec.selector"]]);

    // Flags are passed on in order: a --set after the deployed values wins; --revision reaches helm get.
    const set = run(home.helm, ["chartguard", "upgrade", "shop-web", CHART_DIR, "-n", "shop", "--set", "team=orders", "--revision", "3", "-o", "json", "--fail-on", "none"], { env: home.env });
    assert.equal(set.status, 0, set.stderr);
    assert.deepEqual(calls(home), ["get manifest shop-web -n shop --revision 3", "get values shop-web -n shop --revision 3 -o yaml"]);
    assert.match(JSON.parse(set.stdout).findings[0]?.data?.change ?? "", /"payments" → "orders"/);

    const check = run(home.helm, ["chartguard", "check", CHART_DIR, "-n", "shop", "-o", "json"], { env: home.env });
    assert.equal(check.status, 0, check.stderr);
    assert.deepEqual(JSON.parse(check.stdout).findings, []);

    const missing = run(home.helm, ["chartguard", "upgrade", "nope", CHART_DIR, "-n", "shop"], { env: home.env });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /helm chartguard: cannot read release "nope" in namespace "shop": Error: release: not found/);

    const notAChart = run(home.helm, ["chartguard", "upgrade", "shop-web", "bitnami/nginx"], { env: home.env });
    assert.notEqual(notAChart.status, 0);
    assert.match(notAChart.stderr, /bitnami\/nginx: no such chart directory or \.tgz \(for a chart in a repository, fetch it first/);

    const help = run(home.helm, ["chartguard", "--help"], { env: home.env });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /helm chartguard upgrade RELEASE CHART \[flags\]/);
  });
}

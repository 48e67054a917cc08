/**
 * Helm as the oracle for how Kubernetes reads YAML: `fromYaml` is sigs.k8s.io/yaml's
 * Unmarshal, the function the API machinery uses. oracleParse renders the yaml-oracle
 * fixture chart with the text as its input.yaml and returns what Go made of it, as JSON.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { copyChart } from "../../src/render/chart-copy.ts";
import { helmTemplate, type Helm } from "../../src/render/helm.ts";

const ORACLE_CHART = new URL("../fixtures/charts/yaml-oracle", import.meta.url).pathname;

/**
 * The value of a YAML mapping as Kubernetes sees it. `fromYaml` accepts only a mapping at
 * the top; for anything else it returns `{"Error": "..."}`, which is thrown here.
 */
export async function oracleParse(helm: Helm, yamlText: string): Promise<unknown> {
  const workDir = await mkdtemp(join(tmpdir(), "chartguard-oracle-"));
  try {
    const chart = join(workDir, "yaml-oracle");
    copyChart(ORACLE_CHART, chart);
    await writeFile(join(chart, "input.yaml"), yamlText);
    const manifest = (await helmTemplate(helm, renderRequest(chart), { timeoutMs: 30_000 })).toString("utf8");
    return decodeOracleOutput(manifest);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function renderRequest(chart: string) {
  return {
    chart,
    release: "oracle",
    namespace: "default",
    valuesFiles: [],
    set: [],
    setString: [],
    setFile: [],
    setJson: [],
    apiVersions: [],
  };
}

/** The chart's ConfigMap carries the JSON base64-encoded, so no YAML quoting can alter it. */
function decodeOracleOutput(manifest: string): unknown {
  const configMap = parse(manifest) as { data?: { json?: string } } | null;
  const encoded = configMap?.data?.json;
  if (typeof encoded !== "string") throw new Error(`yaml-oracle rendered no data.json:\n${manifest}`);
  const value: unknown = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
  if (isFromYamlError(value)) throw new Error(`sigs.k8s.io/yaml rejected the input: ${value.Error}`);
  return value;
}

function isFromYamlError(value: unknown): value is { Error: string } {
  return typeof value === "object" && value !== null && Object.keys(value).length === 1 && typeof (value as { Error?: unknown }).Error === "string";
}

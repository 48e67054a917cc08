/**
 * `check` with probes, against one plain `helm template` of the same chart, measured in the
 * same run (target: at most 2×). The charts: the example chart, and a generated chart of
 * realistic shape (many workloads, label helpers, label maps in values, image tags,
 * checksum annotations) so that rendering, not process start-up, dominates.
 *
 *   import { benchProbes } from "./probes.ts";
 *   for (const r of await benchProbes()) console.log(r.name, r.ms, r.floorMs, r.floor);
 *
 * Runs alternate between the two measurements so that machine load affects both alike;
 * each result is the median of several runs. Helm: $HELM_BIN, else the Helm 3 the tests use.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { check } from "../src/check.ts";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUNS = Number(process.env.CHARTGUARD_BENCH_RUNS ?? 9);
const RUNS_MIN = 5;

export interface ProbeBenchResult {
  name: string;
  /** Median wall time of `check` (render, probes, analysis) on the chart. */
  ms: number;
  /** Median wall time of one plain `helm template` of the same chart. */
  floorMs: number;
  floor: string;
}

async function helmBinary(): Promise<string> {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const script = new URL("../scripts/ensure-helm.mjs", import.meta.url).href;
  const { ensureHelm } = (await import(script)) as { ensureHelm(major: 3 | 4): string };
  return ensureHelm(3);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** A chart with `workloads` Deployments (each with a Service and a ConfigMap), written the way popular charts are. */
export async function generateChart(dir: string, workloads: number): Promise<void> {
  await mkdir(join(dir, "templates"), { recursive: true });
  await writeFile(join(dir, "Chart.yaml"), "apiVersion: v2\nname: fleet\nversion: 4.2.0\nappVersion: \"2.7.1\"\n");
  const values = ["commonLabels: {}", "podLabels: {}", "image:", "  repository: registry.example.com/fleet", "  tag: \"2.7.1\"", "components:"];
  for (let i = 0; i < workloads; i++) {
    values.push(`  c${i}:`, "    replicas: 2", "    labels: {}", "    podAnnotations: {}", "    image:", `      repository: registry.example.com/c${i}`, `      tag: "1.${i}.0"`, "    config:", `      greeting: hello-${i}`);
  }
  await writeFile(join(dir, "values.yaml"), `${values.join("\n")}\n`);
  await writeFile(
    join(dir, "templates", "_helpers.tpl"),
    [
      '{{- define "fleet.selectorLabels" -}}',
      "app.kubernetes.io/name: {{ .root.Chart.Name }}",
      "app.kubernetes.io/instance: {{ .root.Release.Name }}",
      "app.kubernetes.io/component: {{ .name }}",
      "{{- end }}",
      '{{- define "fleet.labels" -}}',
      'helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}',
      '{{ include "fleet.selectorLabels" . }}',
      "app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}",
      "app.kubernetes.io/managed-by: {{ .root.Release.Service }}",
      "{{- with .root.Values.commonLabels }}",
      "{{ toYaml . }}",
      "{{- end }}",
      "{{- end }}",
      "",
    ].join("\n"),
  );
  await writeFile(
    join(dir, "templates", "components.yaml"),
    [
      "{{- range $name, $c := .Values.components }}",
      '{{- $ctx := dict "root" $ "name" $name }}',
      "---",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: {{ $.Release.Name }}-{{ $name }}",
      "  labels:",
      '    {{- include "fleet.labels" $ctx | nindent 4 }}',
      "data:",
      "  greeting: {{ $c.config.greeting | quote }}",
      "---",
      "apiVersion: v1",
      "kind: Service",
      "metadata:",
      "  name: {{ $.Release.Name }}-{{ $name }}",
      "  labels:",
      '    {{- include "fleet.labels" $ctx | nindent 4 }}',
      "spec:",
      "  selector:",
      '    {{- include "fleet.selectorLabels" $ctx | nindent 4 }}',
      "  ports:",
      "    - port: 80",
      "      targetPort: http",
      "---",
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: {{ $.Release.Name }}-{{ $name }}",
      "  labels:",
      '    {{- include "fleet.labels" $ctx | nindent 4 }}',
      "spec:",
      "  replicas: {{ $c.replicas }}",
      "  selector:",
      "    matchLabels:",
      '      {{- include "fleet.selectorLabels" $ctx | nindent 6 }}',
      "  template:",
      "    metadata:",
      "      annotations:",
      '        checksum/config: {{ $c.config | toYaml | sha256sum }}',
      "        {{- with $c.podAnnotations }}",
      "        {{- toYaml . | nindent 8 }}",
      "        {{- end }}",
      "      labels:",
      '        {{- include "fleet.selectorLabels" $ctx | nindent 8 }}',
      "        {{- with merge (deepCopy $c.labels) $.Values.podLabels }}",
      "        {{- toYaml . | nindent 8 }}",
      "        {{- end }}",
      "    spec:",
      "      containers:",
      "        - name: {{ $name }}",
      '          image: "{{ $c.image.repository }}:{{ $c.image.tag }}"',
      "          ports:",
      "            - name: http",
      "              containerPort: 8080",
      "{{- end }}",
      "",
    ].join("\n"),
  );
}

async function measure(name: string, chart: string, helm: string, runs: number): Promise<ProbeBenchResult> {
  const plain = () => run(helm, ["template", "bench", chart], { maxBuffer: 256 * 1024 * 1024 });
  const probed = () => check({ inputs: [chart], helm });
  await plain(); // warm the page cache and the module graph
  await probed();
  const floors: number[] = [];
  const checks: number[] = [];
  for (let i = 0; i < runs; i++) {
    floors.push(await timed(plain));
    checks.push(await timed(probed));
  }
  return {
    name,
    ms: Math.round(median(checks)),
    floorMs: Math.round(median(floors)),
    floor: "one plain `helm template` of the same chart",
  };
}

/** `context.runs`: runs per measurement (at least 5, for a stable median); `context.quick`: a smaller generated chart. */
export async function benchProbes(context: { runs?: number; quick?: boolean } = {}): Promise<ProbeBenchResult[]> {
  const helm = await helmBinary();
  const runs = Math.max(RUNS_MIN, context.runs ?? RUNS);
  const workloads = context.quick === true ? 10 : 40;
  const work = await mkdtemp(join(tmpdir(), "chartguard-bench-probes-"));
  try {
    const fleet = join(work, "fleet");
    await generateChart(fleet, workloads);
    return [
      await measure("check (version check, render, probes, analysis): examples/webapp", join(ROOT, "examples", "webapp"), helm, runs),
      await measure(`check (version check, render, probes, analysis): generated chart, ${workloads * 3} objects`, fleet, helm, runs),
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const result of await benchProbes()) {
    console.log(`${result.name}: ${result.ms} ms; ${result.floor}: ${result.floorMs} ms; ratio ${(result.ms / result.floorMs).toFixed(2)}x`);
  }
}

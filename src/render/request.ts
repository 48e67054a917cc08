/**
 * What a render of a chart asks helm for: the inputs a Helm user types, and the request for
 * a chart rendered where it is. Kept apart from the rendering itself, and light (no YAML
 * stream parser, no probes), so that the CLI can start the render `check` is about to ask
 * for before the rest of chartguard has loaded (cli/prestart.ts).
 */
import type { RenderRequest } from "./helm.ts";

export interface ChartOptions {
  /** `--helm PATH`; else $HELM_BIN, else helm on PATH. */
  helm?: string;
  valuesFiles?: string[];
  set?: string[];
  setString?: string[];
  setFile?: string[];
  setJson?: string[];
  release?: string;
  kubeVersion?: string;
  apiVersions?: string[];
  /** `--helm-timeout`, per helm run. Default 60 s. */
  timeoutMs?: number;
  skipMissingDeps?: boolean;
  /** Charts rendered at once. Default: the number of cores. */
  jobs?: number;
  /**
   * Probe renders (`check`): render each chart again with the same inputs and with
   * controlled perturbations, to prove what changes with what. Default true; `--no-probe`.
   */
  probe?: boolean;
}

export const DEFAULT_HELM_TIMEOUT_MS = 60_000;

export function renderInputs(options: ChartOptions, namespace: string): RenderInputs {
  return {
    namespace,
    valuesFiles: options.valuesFiles ?? [],
    set: options.set ?? [],
    setString: options.setString ?? [],
    setFile: options.setFile ?? [],
    setJson: options.setJson ?? [],
    apiVersions: options.apiVersions ?? [],
    ...(options.release === undefined ? {} : { release: options.release }),
    ...(options.kubeVersion === undefined ? {} : { kubeVersion: options.kubeVersion }),
  };
}

/** The render inputs a Helm user types (`-f`, `--set`, ...), the same for every chart. */
export type RenderInputs = Omit<RenderRequest, "chart" | "release"> & {
  /** `--release`; each chart's own name when absent, as `helm install <chart-name>` users expect. */
  release?: string;
};

/** Helm's longest release name. */
export const MAX_RELEASE_NAME = 53;
/** Helm's release name rule (a DNS-1123 subdomain of at most MAX_RELEASE_NAME characters). */
export const RELEASE_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/**
 * The release a chart is rendered as when `--release` is not given: its name made a valid
 * release name (lowercase letters, digits and '-', at most 53 characters), as a user would
 * name it for `helm install`: `CHART-TEMPLATE` → `chart-template`, `my_chart` → `my-chart`.
 */
export function releaseNameFor(chartName: string): string {
  const name = chartName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, MAX_RELEASE_NAME)
    .replace(/^-+|-+$/g, "");
  return name === "" ? "release" : name;
}

/** The request that renders the chart in `chartDir` as it is; without `--release`, the release is named after the chart. */
export function chartRequest(chartDir: string, chartName: string, settings: RenderInputs): RenderRequest {
  const { release, ...inputs } = settings;
  return { ...inputs, chart: chartDir, release: release ?? releaseNameFor(chartName) };
}

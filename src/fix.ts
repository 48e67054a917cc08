/**
 * `chartguard fix` as a library call: check the chart, plan repairs on its template text
 * (fix/plan.ts), prove them on a temporary copy (fix/proof.ts), predict the upgrade from
 * the chart as it is to the repaired one, and write the proven repairs when asked.
 *
 * The proof renders the repaired copy with the same inputs: `check` with its probes for
 * the findings, a plain render with the same Helm for the field-level diff, and a render
 * under each further Helm the caller names (`--proof-helm`). Repairs are first proven
 * together; when that fails, each alone, and those that fail are dropped with their
 * reason before the rest is proven together again.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { check, type CheckOptions } from "./check.ts";
import type { Finding } from "./analyze/finding.ts";
import { shellWord } from "./analyze/shell.ts";
import { chartOptionsWithConfig } from "./config/apply.ts";
import { InputError, InputErrors, UsageError } from "./errors.ts";
import { hasBitnamiCommon, selectorHelpers } from "./fix/helpers.ts";
import { applyEdits, unifiedDiff } from "./fix/patch.ts";
import type { FixOutcome, RepairOutcome } from "./fix/outcome.ts";
import type { ProofResult } from "./fix/proof.ts";
import { editsOf, planRepairs, type Repair } from "./fix/plan.ts";
import { fieldChanges, meetsIntended, proofResult, type HelmRender } from "./fix/proof.ts";
import { isChartDir } from "./load/chart.ts";
import type { ObjectRef } from "./model/object.ts";
import { copyChart } from "./render/chart-copy.ts";
import { renderChart, withWorkDir, type ChartRenderSettings } from "./render/chart-input.ts";
import { DEFAULT_HELM_TIMEOUT_MS, renderInputs } from "./render/charts.ts";
import { locateHelm, type Helm } from "./render/helm.ts";
import { inRunbook, upgradeRunbook } from "./report/runbook.ts";
import type { RolledWorkload } from "./analyze/upgrade/impact.ts";
import { upgrade } from "./upgrade.ts";

export interface FixOptions extends Omit<CheckOptions, "inputs" | "sameNamespace" | "shard" | "exclude" | "showSuppressed"> {
  /** The chart directory to repair. */
  chart: string;
  /** More Helm binaries the repaired chart must render under (e.g. Helm 3 and Helm 4); `helm` is always one. */
  proofHelms?: string[];
  /** Write the proven repairs into the chart's files. */
  write?: boolean;
}

export type { FixOutcome, RepairOutcome };

export async function fix(fixOptions: FixOptions): Promise<FixOutcome> {
  const chart = fixOptions.chart;
  if (!isChartDir(chart)) throw new UsageError(`${chart} is not a chart directory (a folder with Chart.yaml): fix edits the chart's own files`);
  // The config's values for this chart, resolved once: the repaired copy lives elsewhere, and is rendered with them too.
  const { charts: _perChart, ...config } = fixOptions.config ?? {};
  const options: FixOptions = { ...chartOptionsWithConfig(fixOptions, fixOptions.config, chart), ...(fixOptions.config ? { config } : {}) };
  const namespace = options.namespace ?? "default";
  const timeoutMs = options.timeoutMs ?? DEFAULT_HELM_TIMEOUT_MS;
  const helm = await locateHelm(options.helm, process.env, timeoutMs);
  const proofHelms: Helm[] = [];
  for (const binary of options.proofHelms ?? []) proofHelms.push(await locateHelm(binary, process.env, timeoutMs, "--proof-helm"));
  const checkOptions: CheckOptions = { ...options, inputs: [chart], namespace };
  const original = await check(checkOptions);
  if (original.failed && original.failed.length > 0) throw new InputErrors(original.failed);
  const chartDir = path.resolve(chart);
  const files = templateFiles(chartDir);
  const helperTexts = [...files].filter(([file]) => file.endsWith(".tpl")).map(([, text]) => text);
  const plan = planRepairs({
    findings: original.findings,
    chartDir,
    cwd: process.cwd(),
    files,
    selectorHelpers: selectorHelpers(helperTexts),
    bitnamiCommon: hasBitnamiCommon(helperTexts),
  });
  const outcome: FixOutcome = { chart, repairs: [], patch: "", unrepaired: plan.unrepaired, runbook: [], written: [] };
  if (plan.repairs.length === 0) return outcome;

  return withWorkDir(async (workDir) => {
    const settings = (with_: Helm): ChartRenderSettings => ({ helm: with_, inputs: renderInputs(options, namespace), timeoutMs, skipMissingDeps: options.skipMissingDeps ?? false });
    const originalDocs = (await renderChart(chart, settings(helm), workDir)).docs;
    // What differs between two renders of the chart as it is, no repair did.
    const unstable = fieldChanges(originalDocs, (await renderChart(chart, settings(helm), workDir)).docs, namespace);
    let copies = 0;

    /** A copy of the chart with the repairs made, for the proof and the upgrade prediction. */
    const repairedCopy = (repairs: readonly Repair[]): string => {
      const copy = path.join(workDir, `repaired-${++copies}`, path.basename(chartDir));
      copyChart(chartDir, copy);
      for (const [file, text] of editedFiles(files, repairs)) writeFileSync(path.join(copy, file), text);
      return copy;
    };
    const prove = async (repairs: readonly Repair[]): Promise<ProofResult> => {
      const copy = repairedCopy(repairs);
      const renders: HelmRender[] = [];
      let after: Finding[] = [];
      let changes: ProofResult["changes"] = [];
      try {
        const repaired = await check({ ...checkOptions, inputs: [copy] });
        if (repaired.failed && repaired.failed.length > 0) throw new InputErrors(repaired.failed);
        after = repaired.findings;
        changes = fieldChanges(originalDocs, (await renderChart(copy, settings(helm), workDir)).docs, namespace);
        renders.push({ helm: helm.version });
      } catch (error) {
        renders.push({ helm: helm.version, error: errorLine(error) });
      }
      for (const other of proofHelms) {
        try {
          await renderChart(copy, settings(other), workDir);
          renders.push({ helm: other.version });
        } catch (error) {
          renders.push({ helm: other.version, error: errorLine(error) });
        }
      }
      return proofResult({
        repaired: repairs.flatMap((r) => r.findings),
        before: original.findings,
        after,
        changes,
        unstable,
        intended: repairs.flatMap((r) => r.intended),
        renders,
      });
    };

    const failures = new Map<Repair, string[]>();
    let proven = [...plan.repairs];
    let proof = await prove(proven);
    while (!proof.proven && proven.length > 0) {
      for (const repair of proven) {
        const alone = proven.length === 1 ? proof : await prove([repair]);
        if (!alone.proven) failures.set(repair, failureReasons(alone));
      }
      const survivors = proven.filter((r) => !failures.has(r));
      // Each proven alone but not together: the last one is dropped, and the rest tried again.
      if (survivors.length === proven.length) failures.set(proven.at(-1)!, failureReasons(proof).map((r) => `together with the other repairs: ${r}`));
      proven = proven.filter((r) => !failures.has(r));
      if (proven.length > 0) proof = await prove(proven);
    }

    let migrations: Finding[] = [];
    let rolled: RolledWorkload[] = [];
    if (proven.length > 0) {
      const copy = repairedCopy(proven);
      const predicted = await upgrade({ ...options, from: chart, to: copy, namespace });
      // The repaired chart is the chart itself once written: the upgrade names it as the user did.
      const copyWord = shellWord(copy);
      outcome.runbook = upgradeRunbook(predicted.findings, predicted.impact).map((step) => ({ ...step, command: step.command.split(copyWord).join(shellWord(chart)) }));
      migrations = predicted.findings.filter(inRunbook);
      rolled = predicted.impact.rolled;
      outcome.proof = proof;
      outcome.patch = [...editedFiles(files, proven).keys()]
        .map((file) => unifiedDiff(path.join(chart, file).split(path.sep).join("/"), files.get(file)!, proven.flatMap((r) => editsOf(r).filter((edit) => edit.file === file))))
        .join("");
    }
    outcome.repairs = plan.repairs.map((repair) => {
      const failure = failures.get(repair);
      if (failure) return { ...repair, proven: false, failure };
      // Which upgrade finding (a refused field change) and which restart come from this repair: those at its fields.
      const migration = migrations.some((f) => meetsIntended(f.object, f.path, repair.intended)) ? "runbook" : "none";
      const restarts = rolled.some((r) => r.changes.some((change) => meetsIntended(r.object, change, repair.intended)));
      return { ...repair, proven: true, migration, restarts };
    });
    if (options.write === true) {
      for (const [file, text] of editedFiles(files, proven)) {
        writeFileSync(path.join(chartDir, file), text);
        outcome.written.push(file);
      }
    }
    return outcome;
  });
}

/** The text of every file the repairs edit, with the edits made. */
function editedFiles(files: ReadonlyMap<string, string>, repairs: readonly Repair[]): Map<string, string> {
  const edited = new Map<string, string>();
  for (const file of [...new Set(repairs.flatMap((r) => editsOf(r).map((edit) => edit.file)))].sort()) {
    edited.set(file, applyEdits(files.get(file)!, repairs.flatMap((r) => editsOf(r).filter((edit) => edit.file === file))));
  }
  return edited;
}

/** The reasons a proof failed, one line each. */
function failureReasons(proof: ProofResult): string[] {
  const where = (f: { object: ObjectRef; path: string }) => `${f.object.kind}/${f.object.name}${f.path === "" ? "" : ` ${f.path}`}`;
  return [
    ...proof.remaining.map((f) => `(a) still reported: ${f.rule} at ${where(f)}`),
    ...proof.added.map((f) => `(b) new finding: ${f.rule} at ${where(f)}`),
    ...proof.unintended.map((c) => `(c) changes a field it was not meant to: ${where(c)}`),
    ...proof.renders.flatMap((r) => (r.error === undefined ? [] : [`(d) does not render under Helm ${r.helm}: ${r.error}`])),
  ];
}

function errorLine(error: unknown): string {
  if (error instanceof InputError) return error.oneLine;
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}


/** Every template file of the chart and its unpacked subcharts, by path relative to the chart (with `/`). */
function templateFiles(chartDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(chartDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.relative(chartDir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/");
    if (!file.split("/").includes("templates")) continue;
    files.set(file, readFileSync(path.join(chartDir, file), "utf8"));
  }
  return files;
}

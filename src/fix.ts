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
import { hasBitnamiCommon, selectorHelpers, selectorHelpersToAdd } from "./fix/helpers.ts";
import { applyEdits, unifiedDiff } from "./fix/patch.ts";
import type { FixOutcome, RepairOutcome } from "./fix/outcome.ts";
import { editsIn, editsOf, planRepairs, type PlanInput, type Repair } from "./fix/plan.ts";
import { fieldChanges, meetsIntended, proofResult, type FieldChange, type HelmRender, type ProofResult } from "./fix/proof.ts";
import { isChartDir } from "./load/chart.ts";
import { isRecord, type ObjectRef } from "./model/object.ts";
import { copyChart } from "./render/chart-copy.ts";
import { renderChart, withWorkDir, type ChartRenderSettings } from "./render/chart-input.ts";
import { DEFAULT_HELM_TIMEOUT_MS, renderInputs } from "./render/request.ts";
import { locateHelm, type Helm } from "./render/helm.ts";
import { inRunbook, upgradeRunbook, type RunbookStep } from "./report/runbook.ts";
import type { YamlDocument } from "./load/yaml.ts";
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
  const run = await fixRun(fixOptions);
  const original = await check(run.checkOptions);
  if (original.failed && original.failed.length > 0) throw new InputErrors(original.failed);
  const chartDir = path.resolve(chart);
  const files = templateFiles(chartDir);
  const plan = planRepairs({ findings: original.findings, chartDir, cwd: process.cwd(), files, ...chartHelpers(files) });
  const outcome: FixOutcome = { chart, repairs: [], patch: "", unrepaired: plan.unrepaired, runbook: [], written: [] };
  if (plan.repairs.length === 0) return outcome;
  return withWorkDir(async (workDir) => {
    const session = await proofSession(run, { chartDir, files, workDir, findings: original.findings });
    const { proven, proof, failures } = await proveRepairs(session, plan.repairs);
    const migration = proven.length > 0 ? await predictMigration(run, session.repairedCopy(proven)) : { runbook: [], migrations: [], rolled: [] };
    if (proven.length > 0) {
      outcome.runbook = migration.runbook;
      outcome.proof = proof;
      outcome.patch = patchOf(chart, files, proven);
    }
    outcome.repairs = plan.repairs.map((repair) => repairOutcome(repair, failures.get(repair), migration));
    if (run.options.write === true) outcome.written = writeRepairs(chartDir, files, proven);
    return outcome;
  });
}

/** The settings of one fix run, resolved once: the repaired copies are checked, rendered and upgraded with them too. */
interface FixRun {
  options: FixOptions;
  namespace: string;
  timeoutMs: number;
  helm: Helm;
  /** Helm binaries the repaired chart must render under besides `helm`. */
  proofHelms: Helm[];
  checkOptions: CheckOptions;
}

async function fixRun(fixOptions: FixOptions): Promise<FixRun> {
  const chart = fixOptions.chart;
  // The config's values for this chart, resolved once: the repaired copy lives elsewhere, and is rendered with them too.
  const { charts: _perChart, ...config } = fixOptions.config ?? {};
  const options: FixOptions = { ...chartOptionsWithConfig(fixOptions, fixOptions.config, chart), ...(fixOptions.config ? { config } : {}) };
  const namespace = options.namespace ?? "default";
  const timeoutMs = options.timeoutMs ?? DEFAULT_HELM_TIMEOUT_MS;
  const helm = await locateHelm(options.helm, process.env, timeoutMs);
  const proofHelms: Helm[] = [];
  for (const binary of options.proofHelms ?? []) proofHelms.push(await locateHelm(binary, process.env, timeoutMs, "--proof-helm"));
  return { options, namespace, timeoutMs, helm, proofHelms, checkOptions: { ...options, inputs: [chart], namespace } };
}

/** What the planner needs to know of the chart's helpers (fix/helpers.ts). */
function chartHelpers(files: ReadonlyMap<string, string>): Pick<PlanInput, "selectorHelpers" | "bitnamiCommon" | "helpersToAdd"> {
  const helperFiles = new Map([...files].filter(([file]) => file.endsWith(".tpl")));
  const helperTexts = [...helperFiles.values()];
  const paired = selectorHelpers(helperTexts);
  return { selectorHelpers: paired, bitnamiCommon: hasBitnamiCommon(helperTexts), helpersToAdd: selectorHelpersToAdd(helperFiles, paired) };
}

/** The proof's fixed side: the chart as it is, rendered, and the way to make and prove a repaired copy. */
interface ProofSession {
  /** A copy of the chart with the repairs made, for the proof and the upgrade prediction. */
  repairedCopy(repairs: readonly Repair[]): string;
  prove(repairs: readonly Repair[]): Promise<ProofResult>;
}

async function proofSession(
  run: FixRun,
  chart: { chartDir: string; files: ReadonlyMap<string, string>; workDir: string; findings: readonly Finding[] },
): Promise<ProofSession> {
  const { chartDir, files, workDir } = chart;
  const settings = (helm: Helm): ChartRenderSettings => ({ helm, inputs: renderInputs(run.options, run.namespace), timeoutMs: run.timeoutMs, skipMissingDeps: run.options.skipMissingDeps ?? false });
  const render = async (dir: string, helm: Helm) => (await renderChart(dir, settings(helm), workDir)).docs;
  const originalDocs = await render(run.options.chart, run.helm);
  // What differs between two renders of the chart as it is (generated secrets, timestamps), no repair did.
  const unstable = fieldChanges(originalDocs, await render(run.options.chart, run.helm), run.namespace);
  let copies = 0;
  const repairedCopy = (repairs: readonly Repair[]): string => {
    const copy = path.join(workDir, `repaired-${++copies}`, path.basename(chartDir));
    copyChart(chartDir, copy);
    for (const [file, text] of editedFiles(files, repairs)) writeFileSync(path.join(copy, file), text);
    return copy;
  };
  const prove = async (repairs: readonly Repair[]): Promise<ProofResult> => {
    const copy = repairedCopy(repairs);
    const checked = await checkRepaired(run, copy, (docs) => fieldChanges(originalDocs, docs, run.namespace), render);
    // Rendered after the repaired copy: a field that reads the clock (`now`) differs here whenever it differs there.
    const drift = fieldChanges(originalDocs, await render(run.options.chart, run.helm), run.namespace);
    const renders = [checked.render];
    for (const other of run.proofHelms) renders.push(await renderedUnder(other, () => render(copy, other)));
    return proofResult({
      repaired: repairs.flatMap((r) => r.findings),
      before: chart.findings,
      after: checked.after,
      changes: checked.changes,
      unstable: uniqueChanges([...unstable, ...drift]),
      intended: repairs.flatMap((r) => r.intended),
      renders,
    });
  };
  return { repairedCopy, prove };
}

/** The repaired copy checked as the chart was, and its fields compared with the original render: (a), (b) and (c) of the proof. */
async function checkRepaired(
  run: FixRun,
  copy: string,
  changesFrom: (docs: YamlDocument[]) => FieldChange[],
  render: (dir: string, helm: Helm) => Promise<YamlDocument[]>,
): Promise<{ after: Finding[]; changes: FieldChange[]; render: HelmRender }> {
  let after: Finding[] = [];
  let changes: FieldChange[] = [];
  const rendered = await renderedUnder(run.helm, async () => {
    const repaired = await check({ ...run.checkOptions, inputs: [copy] });
    if (repaired.failed && repaired.failed.length > 0) throw new InputErrors(repaired.failed);
    after = repaired.findings;
    changes = changesFrom(await render(copy, run.helm));
  });
  return { after, changes, render: rendered };
}

/** Each changed field once. */
function uniqueChanges(changes: readonly FieldChange[]): FieldChange[] {
  return [...new Map(changes.map((change) => [JSON.stringify([change.object, change.path]), change])).values()];
}

/** Whether the chart renders under a Helm: (d) of the proof. */
async function renderedUnder(helm: Helm, render: () => Promise<unknown>): Promise<HelmRender> {
  try {
    await render();
    return { helm: helm.version };
  } catch (error) {
    return { helm: helm.version, error: errorLine(error) };
  }
}

/**
 * The repairs proven together. When the proof of all fails, each is proven alone and those
 * that fail are dropped with their reasons; the rest is proven together again.
 */
async function proveRepairs(session: ProofSession, repairs: readonly Repair[]): Promise<{ proven: Repair[]; proof: ProofResult; failures: Map<Repair, string[]> }> {
  const failures = new Map<Repair, string[]>();
  let proven = [...repairs];
  let proof = await session.prove(proven);
  while (!proof.proven && proven.length > 0) {
    for (const repair of proven) {
      const alone = proven.length === 1 ? proof : await session.prove([repair]);
      if (!alone.proven) failures.set(repair, failureReasons(alone));
    }
    const survivors = proven.filter((r) => !failures.has(r));
    // Each proven alone but not together: the last one is dropped, and the rest tried again.
    if (survivors.length === proven.length) failures.set(proven.at(-1)!, failureReasons(proof).map((r) => `together with the other repairs: ${r}`));
    proven = proven.filter((r) => !failures.has(r));
    if (proven.length > 0) proof = await session.prove(proven);
  }
  return { proven, proof, failures };
}

/** From the chart as it is to the repaired copy: the runbook, the refused field changes and the restarts. */
interface Migration {
  runbook: RunbookStep[];
  migrations: Finding[];
  rolled: RolledWorkload[];
}

async function predictMigration(run: FixRun, copy: string): Promise<Migration> {
  const chart = run.options.chart;
  const predicted = await upgrade({ ...run.options, from: chart, to: copy, namespace: run.namespace });
  // The repaired chart is the chart itself once written: the upgrade names it as the user did.
  const copyWord = shellWord(copy);
  const runbook = upgradeRunbook(predicted.findings, predicted.impact).map((step) => ({ ...step, command: step.command.split(copyWord).join(shellWord(chart)) }));
  return { runbook, migrations: predicted.findings.filter(inRunbook), rolled: predicted.impact.rolled };
}

function repairOutcome(repair: Repair, failure: string[] | undefined, { migrations, rolled }: Migration): RepairOutcome {
  if (failure) return { ...repair, proven: false, failure };
  // Which upgrade finding (a refused field change) and which restart come from this repair: those at its fields.
  const migration = migrations.some((f) => refusedFields(f).some((field) => meetsIntended(f.object, field, repair.intended))) ? "runbook" : "none";
  const restarts = rolled.some((r) => r.changes.some((change) => meetsIntended(r.object, change, repair.intended)));
  return { ...repair, proven: true, migration, restarts };
}

/**
 * The fields whose change an upgrade finding says is refused: each change it lists, or its
 * own path. A StatefulSet's refusal is at `spec` and lists the selector and claim template
 * changes; its pod template, which may change, is not one of them.
 */
function refusedFields(finding: Finding): string[] {
  const changes = finding.evidence.changes;
  if (!Array.isArray(changes)) return [finding.path];
  const paths = changes.flatMap((change: unknown) => (isRecord(change) && typeof change.path === "string" ? [change.path] : []));
  return paths.length > 0 ? paths : [finding.path];
}

/** The proven repairs as a unified diff, each file named as `patchPath` shows it. */
function patchOf(chart: string, files: ReadonlyMap<string, string>, repairs: readonly Repair[]): string {
  return [...editedFiles(files, repairs).keys()].map((file) => unifiedDiff(patchPath(chart, file), files.get(file)!, editsIn(repairs, file))).join("");
}

/**
 * A chart file as a patch names it: relative to the working directory when the chart is in
 * it, else from the chart's own folder, so that `git apply` (or `patch -p1`) runs from the
 * working directory or from the folder holding the chart — never an absolute `a//tmp/...`.
 */
function patchPath(chart: string, file: string): string {
  const fromHere = path.relative(process.cwd(), path.resolve(chart, file));
  const shown = fromHere.startsWith("..") || path.isAbsolute(fromHere) ? path.join(path.basename(path.resolve(chart)), file) : fromHere;
  return shown.split(path.sep).join("/");
}

/** Writes the proven repairs into the chart; the files written. */
function writeRepairs(chartDir: string, files: ReadonlyMap<string, string>, repairs: readonly Repair[]): string[] {
  const written: string[] = [];
  for (const [file, text] of editedFiles(files, repairs)) {
    writeFileSync(path.join(chartDir, file), text);
    written.push(file);
  }
  return written;
}

/** The text of every file the repairs edit, with the edits made. */
function editedFiles(files: ReadonlyMap<string, string>, repairs: readonly Repair[]): Map<string, string> {
  const edited = new Map<string, string>();
  for (const file of [...new Set(repairs.flatMap((r) => editsOf(r).map((edit) => edit.file)))].sort()) edited.set(file, applyEdits(files.get(file)!, editsIn(repairs, file)));
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

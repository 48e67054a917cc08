/**
 * The report of `chartguard fix`: the patch, the proof, the migration and what was left
 * alone. Text for people (chart-derived text made visible), JSON for tools, or the patch
 * alone (`-o patch`, for `git apply`).
 */
import type { FixOutcome, RepairOutcome } from "../fix/outcome.ts";
import type { FieldChange, ProofResult } from "../fix/proof.ts";
import type { ObjectRef } from "../model/object.ts";
import { JSON_OUTPUT_VERSION } from "./json.ts";
import { RUNBOOK_STAGES, type RunbookStep } from "./runbook.ts";
import { visible, visibleLines } from "./visible.ts";

export function formatFixJson(outcome: FixOutcome): string {
  const finding = (f: RepairOutcome["findings"][number]) => ({ rule: f.rule, severity: f.severity, object: f.object, path: f.path, message: f.message });
  const shown = {
    version: JSON_OUTPUT_VERSION,
    chart: outcome.chart,
    patch: outcome.patch,
    repairs: outcome.repairs.map(({ findings, edit, alsoEdits: _alsoEdits, ...repair }) => ({ ...repair, file: edit.file, line: edit.line, findings: findings.map(finding) })),
    ...(outcome.proof ? { proof: { ...outcome.proof, remaining: outcome.proof.remaining.map(finding), added: outcome.proof.added.map(finding) } } : {}),
    unrepaired: outcome.unrepaired.map((u) => ({ ...finding(u.finding), reason: u.reason })),
    runbook: outcome.runbook,
    written: outcome.written,
  };
  return `${JSON.stringify(shown, null, 2)}\n`;
}

const objectText = (o: ObjectRef) => visible(`${o.kind}/${o.name}`);

function changeText(change: FieldChange): string {
  const value = (v: unknown) => (v === undefined ? "(absent)" : visible(JSON.stringify(v)));
  if (change.path === "") return `${objectText(change.object)}: ${change.before === undefined ? "added" : "removed"}`;
  return `${objectText(change.object)} ${visible(change.path)}: ${value(change.before)} -> ${value(change.after)}`;
}

export function formatFixText(outcome: FixOutcome): string {
  const proven = outcome.repairs.filter((r) => r.proven);
  const failed = outcome.repairs.filter((r) => !r.proven);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const lines = [`chartguard fix ${visible(outcome.chart)}: ${plural(proven.length, "repair")} proven, ${failed.length} failed its proof, ${plural(outcome.unrepaired.length, "finding")} left unrepaired`];
  if (outcome.patch !== "") lines.push("", visibleLines(outcome.patch).trimEnd());
  if (outcome.proof) lines.push("", ...proofLines(outcome.proof, proven));
  if (proven.length > 0) lines.push("", "Repairs:", ...proven.flatMap(repairLines));
  if (failed.length > 0) {
    lines.push("", "Repairs dropped (their proof failed; nothing of them is written):");
    for (const repair of failed) lines.push(`  ${visible(repair.id)}: ${visible(repair.description)}`, ...(repair.failure ?? []).map((reason) => `      ${visible(reason)}`));
  }
  if (outcome.runbook.length > 0) lines.push("", ...runbookLines(outcome.runbook));
  else if (proven.length > 0) lines.push("", "Migration: none; a plain helm upgrade takes the repaired chart.");
  if (outcome.unrepaired.length > 0) {
    lines.push("", "Not repaired:");
    for (const { finding, reason } of outcome.unrepaired) lines.push(`  ${finding.rule} ${objectText(finding.object)} ${visible(finding.path)}: ${visible(reason)}`);
  }
  if (outcome.written.length > 0) lines.push("", `Written: ${outcome.written.map(visible).join(", ")}`);
  else if (outcome.patch !== "") lines.push("", "Nothing written: run with --write to apply the proven repairs.");
  return `${lines.join("\n")}\n`;
}

/** The proof of the proven repairs together, (a) to (d). */
function proofLines(proof: ProofResult, proven: readonly RepairOutcome[]): string[] {
  const repaired = proven.reduce((n, r) => n + r.findings.length, 0);
  const lines = [
    "Proof (the repaired chart against the chart as it is, same values and probe renders):",
    `  (a) the ${repaired} finding${repaired === 1 ? "" : "s"} repaired ${repaired === 1 ? "is" : "are"} gone`,
    "  (b) no new finding",
    `  (c) rendered fields that changed, all labels taken out of the repaired maps (${proof.changes.length}):`,
    ...proof.changes.map((change) => `      ${changeText(change)}`),
  ];
  if (proof.unstable.length > 0) {
    const fields = proof.unstable.map((c) => `${objectText(c.object)} ${visible(c.path)}`);
    const more = fields.length > 3 ? ` and ${fields.length - 3} more` : "";
    lines.push(`      not compared, since they differ between two renders of the chart as it is: ${fields.slice(0, 3).join(", ")}${more}`);
  }
  lines.push(`  (d) renders under Helm ${proof.renders.map((r) => visible(r.helm)).join(", ")}`);
  return lines;
}

/** A proven repair: what it edits, what it fixes, and how it ships. */
function repairLines(repair: RepairOutcome): string[] {
  const fixes = repair.findings.map((f) => `${f.rule} ${objectText(f.object)} ${visible(f.path)}`).join("; ");
  const restart = repair.restarts === true ? "; the upgrade restarts the pods once" : "";
  const shipping = repair.migration === "runbook" ? `needs the migration below for an installed release${restart}` : `safe in a patch release (a plain helm upgrade takes it${restart})`;
  return [`  ${visible(repair.id)}: ${visible(repair.description)}`, `      fixes ${fixes}`, `      ${shipping}`, ...(repair.caveat ? [`      but ${visible(repair.caveat)}`] : [])];
}

/** The runbook, stage by stage. */
function runbookLines(runbook: readonly RunbookStep[]): string[] {
  const lines = ["Migration for a release installed from the chart as it is (run in this order; each kubectl delete waits until the object is gone):"];
  for (const stage of RUNBOOK_STAGES) {
    const steps = runbook.filter((step) => step.stage === stage.id);
    if (steps.length > 0) lines.push(`  ${stage.title}:`, ...steps.map((step) => `    ${visible(step.command)}`));
  }
  return lines;
}

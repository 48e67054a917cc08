/** The upgrade report for people: reads like a plan — what will fail, what restarts and why, what moves, what to run. */
import pc from "picocolors";
import type { Impact } from "../analyze/upgrade/impact.ts";
import type { ObjectRef } from "../model/object.ts";
import { objectLabel } from "./common.ts";
import { formatText, type TextOptions, type TextReport } from "./text.ts";
import { RUNBOOK_STAGES, upgradeRunbook, withoutCommands } from "./runbook.ts";
import { ALREADY_PRESENT, REPLACED_WHY, upgradeOutline, type RollLine } from "./upgrade-outline.ts";
import { visible } from "./visible.ts";

const ref = (o: ObjectRef) => visible(objectLabel(o));
function rolledLine({ rolled: r, reasons, refused }: RollLine, c: ReturnType<typeof pc.createColors>): string {
  const notes = [
    refused ? c.red("only once the refused update is fixed") : "",
    r.needless ? c.yellow("needless: only chart/app version metadata changed") : "",
    r.onDelete ? c.dim("OnDelete: applies as pods are deleted") : "",
  ].filter(Boolean);
  return `  - ${ref(r.object)}: ${reasons}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}

export function formatPlan(result: TextReport & { impact: Impact }, options: TextOptions): string {
  const c = pc.createColors(options.color);
  const { impact } = result;
  const outline = upgradeOutline(result.findings, impact);
  const { failing } = outline;
  const lines: string[] = [c.bold("Upgrade plan"), ""];

  lines.push(c.bold(failing.length === 0 ? c.green("Nothing will be refused.") : c.red(`Will fail or break (${failing.length}):`)));
  for (const f of failing) lines.push(`  - ${ref(f.object)} ${c.dim(visible(f.path))}: ${f.rule}${f.baselineState === "unchanged" ? c.dim(` (${ALREADY_PRESENT})`) : ""}`);
  lines.push("");

  const needless = outline.needlessRolls;
  lines.push(c.bold(`Will restart (${impact.rolled.length}${needless > 0 ? `, ${needless} needlessly` : ""}):`));
  for (const roll of outline.rolls) lines.push(rolledLine(roll, c));
  if (impact.rolled.length === 0) lines.push("  nothing");
  lines.push("");

  const moves: [string, readonly string[]][] = [
    ["Created", outline.created.map(ref)],
    ["Deleted", outline.deleted.map(ref)],
    ["Replaced (delete + create)", impact.replaced.map((r) => `${ref(r.from)} → ${ref(r.to)} ${c.dim(`(${REPLACED_WHY[r.why]})`)}`)],
    ["Left behind (resource-policy: keep)", impact.kept.map(ref)],
  ];
  for (const [title, items] of moves) {
    if (items.length === 0) continue;
    lines.push(c.bold(`${title} (${items.length}):`));
    for (const item of items) lines.push(`  - ${item}`);
    lines.push("");
  }

  const runbook = upgradeRunbook(result.findings, impact);
  if (runbook.length > 0) {
    lines.push(c.bold("Runbook (run in this order; each kubectl delete waits until the object is gone):"));
    for (const stage of RUNBOOK_STAGES) {
      const steps = runbook.filter((step) => step.stage === stage.id);
      if (steps.length === 0) continue;
      lines.push(`  ${stage.title}:`);
      for (const step of steps) lines.push(`    ${c.cyan("$")} ${visible(step.command)}`);
    }
    lines.push("");
  }
  lines.push(c.bold("Findings"), "");
  // The runbook above holds every command once; repeated per finding, they would read as several upgrades.
  const findings = result.findings.map(withoutCommands);
  return `${lines.join("\n")}${formatText({ ...result, findings }, options)}`;
}

/** The upgrade report for people: reads like a plan — what will fail, what restarts, what to run first. */
import pc from "picocolors";
import type { UpgradeResult } from "../analyze/upgrade/index.ts";
import type { ObjectRef } from "../model/object.ts";
import { formatText, type TextOptions } from "./text.ts";

const ref = (o: ObjectRef) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;

export function formatPlan(result: UpgradeResult, options: TextOptions): string {
  const c = pc.createColors(options.color);
  const { impact } = result;
  const lines: string[] = [c.bold("Upgrade plan"), ""];

  const failing = result.findings.filter((f) => f.severity === "error");
  lines.push(c.bold(failing.length === 0 ? c.green("Nothing will be refused.") : c.red(`Will fail or break (${failing.length}):`)));
  for (const f of failing) lines.push(`  - ${ref(f.object)} ${c.dim(f.path)}: ${f.rule}`);
  lines.push("");

  lines.push(c.bold(`Will restart (${impact.rolled.length}):`));
  for (const r of impact.rolled) lines.push(`  - ${ref(r.object)}: ${r.reasons.join(", ")}`);
  if (impact.rolled.length === 0) lines.push("  nothing");
  lines.push("");

  const moves: [string, readonly string[]][] = [
    ["Created", impact.created.map(ref)],
    ["Deleted", impact.deleted.map(ref)],
    ["Replaced (delete + create)", impact.replaced.map((r) => `${ref(r.from)} → ${ref(r.to)}`)],
    ["Left behind (resource-policy: keep)", impact.kept.map(ref)],
  ];
  for (const [title, items] of moves) {
    if (items.length === 0) continue;
    lines.push(c.bold(`${title} (${items.length}):`));
    for (const item of items) lines.push(`  - ${item}`);
    lines.push("");
  }

  const commands = failing.flatMap((f) => f.remedy.commands ?? []);
  if (commands.length > 0) {
    lines.push(c.bold("Run first, then upgrade:"));
    for (const command of [...new Set(commands)]) lines.push(`  ${c.cyan("$")} ${command}`);
    lines.push("");
  }

  lines.push(c.bold("Findings"), "");
  return `${lines.join("\n")}${formatText(result, options)}`;
}

/** The upgrade report for people: reads like a plan — what will fail, what restarts and why, what moves, what to run. */
import pc from "picocolors";
import type { RolledWorkload } from "../analyze/upgrade/impact.ts";
import type { UpgradeResult } from "../analyze/upgrade/index.ts";
import type { ObjectRef } from "../model/object.ts";
import { formatText, type TextOptions } from "./text.ts";

const ref = (o: ObjectRef) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
const key = (o: ObjectRef) => `${o.apiVersion}\u0000${o.kind}\u0000${o.namespace ?? ""}\u0000${o.name}`;

const REASON_TEXT: Record<string, string> = {
  image: "image",
  env: "environment",
  "config-checksum": "config checksum",
  resources: "resources",
  "labels-only": "labels only",
  labels: "labels",
  annotations: "annotations",
  command: "command/args",
  volumes: "volumes",
  probes: "probes",
  containers: "containers added/removed",
  "pod-spec": "pod spec",
};

function rolledLine(r: RolledWorkload, refused: boolean, c: ReturnType<typeof pc.createColors>): string {
  const reasons = r.reasons.map((reason) => REASON_TEXT[reason] ?? reason).join(", ");
  const notes = [
    refused ? c.red("only once the refused update is fixed") : "",
    r.needless ? c.yellow("needless: only chart/app version metadata changed") : "",
    r.onDelete ? c.dim("OnDelete: applies as pods are deleted") : "",
  ].filter(Boolean);
  return `  - ${ref(r.object)}: ${reasons}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}

export function formatPlan(result: UpgradeResult, options: TextOptions): string {
  const c = pc.createColors(options.color);
  const { impact } = result;
  const lines: string[] = [c.bold("Upgrade plan"), ""];

  const failing = result.findings.filter((f) => f.severity === "error");
  lines.push(c.bold(failing.length === 0 ? c.green("Nothing will be refused.") : c.red(`Will fail or break (${failing.length}):`)));
  for (const f of failing) lines.push(`  - ${ref(f.object)} ${c.dim(f.path)}: ${f.rule}`);
  lines.push("");

  const needless = impact.rolled.filter((r) => r.needless).length;
  lines.push(c.bold(`Will restart (${impact.rolled.length}${needless > 0 ? `, ${needless} needlessly` : ""}):`));
  const refused = new Set(failing.map((f) => key(f.object)));
  for (const r of impact.rolled) lines.push(rolledLine(r, refused.has(key(r.object)), c));
  if (impact.rolled.length === 0) lines.push("  nothing");
  lines.push("");

  // Replaced objects are a create plus a delete: list them once, as replacements.
  const replacedFrom = new Set(impact.replaced.map((r) => key(r.from)));
  const replacedTo = new Set(impact.replaced.map((r) => key(r.to)));
  const why = { rename: "renamed", "kind-change": "kind changed", "group-change": "API group changed" } as const;
  const moves: [string, readonly string[]][] = [
    ["Created", impact.created.filter((o) => !replacedTo.has(key(o))).map(ref)],
    ["Deleted", impact.deleted.filter((o) => !replacedFrom.has(key(o))).map(ref)],
    ["Replaced (delete + create)", impact.replaced.map((r) => `${ref(r.from)} → ${ref(r.to)} ${c.dim(`(${why[r.why]})`)}`)],
    ["Left behind (resource-policy: keep)", impact.kept.map(ref)],
  ];
  for (const [title, items] of moves) {
    if (items.length === 0) continue;
    lines.push(c.bold(`${title} (${items.length}):`));
    for (const item of items) lines.push(`  - ${item}`);
    lines.push("");
  }

  const withCommands = failing.filter((f) => (f.remedy.commands ?? []).length > 0);
  if (withCommands.length > 0) {
    lines.push(c.bold("Migrate first (in order, per object):"));
    for (const f of withCommands) {
      lines.push(`  ${ref(f.object)} (${f.rule}):`);
      for (const command of f.remedy.commands ?? []) lines.push(`    ${c.cyan("$")} ${command}`);
    }
    lines.push("");
  }

  lines.push(c.bold("Findings"), "");
  return `${lines.join("\n")}${formatText(result, options)}`;
}

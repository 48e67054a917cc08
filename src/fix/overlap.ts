/**
 * The repair of a selector-overlap finding whose foreign pods are all the chart's own Jobs'
 * (and CronJobs'): the Jobs' pod labels stop carrying one key of the selector, and no
 * selector changes (a workload's is immutable; changing it needs a migration). The rule
 * names the key and where each Job's pod labels are written (selector-overlap/job-pods.ts).
 * The Job's one include of a labels helper in that map is wrapped so that its output drops
 * the key: `omit (include "x.labels" . | fromYaml) "app.kubernetes.io/name" | toYaml`,
 * same arguments and `nindent`. Whether the key came from that include, and whether
 * anything else changed, the proof tells; a plain Job whose template changes needs its
 * deletion before the upgrade, which the runbook says (upgrade prediction).
 */
import path from "node:path";
import type { Finding } from "../analyze/finding.ts";
import { refString } from "../model/object.ts";
import { templateLines, type LineEdit } from "./patch.ts";
import type { IntendedField, PlanInput, Repair } from "./repair.ts";

/** `{{- include "x.labels" . | nindent 8 }}`, after an optional `labels:` key on the same line. */
const INCLUDE_ACTION = /^(\s*(?:labels:\s*)?\{\{-?\s*)(include\s+"([^"]+)"\s[^|{}]*?)\s*\|\s*(n?indent\s+\d+\s*-?\}\}\s*)$/;

interface JobPodLabels {
  key: string;
  sources: { object: string; path: string; template: string | null; templateLine: number | null }[];
}

export function overlapRepair(finding: Finding, input: PlanInput, isLabelHelper: (name: string) => boolean): Repair | { reason: string } {
  const evidence = finding.evidence.jobPodLabels as JobPodLabels | undefined;
  if (evidence === undefined) return { reason: "the selector takes in the pods of other long-running workloads too, or no label of the selector tells the Job pods apart: fix repairs an overlap only with the chart's own Job and CronJob pods, by their labels" };
  const edits: LineEdit[] = [];
  const intended: IntendedField[] = [];
  for (const source of evidence.sources) {
    const edit = dropKeyEdit(source, evidence.key, input, isLabelHelper);
    if ("reason" in edit) return edit;
    const object = finding.related.find((ref) => refString(ref) === source.object);
    if (object === undefined) return { reason: `${source.object} is not among the finding's related objects` };
    edits.push(edit);
    intended.push({ object, path: source.path, label: evidence.key });
  }
  const [edit, ...alsoEdits] = edits as [LineEdit, ...LineEdit[]];
  const jobs = evidence.sources.map((s) => s.object).join(", ");
  return {
    id: `${edit.file}:${edit.line}`,
    kind: "job-pods-out-of-selector",
    description: `render the pod labels of ${jobs} without ${evidence.key}, so that the selector no longer takes in their pods (no selector changes)`,
    edit,
    ...(alsoEdits.length > 0 ? { alsoEdits } : {}),
    findings: [finding],
    intended,
  };
}

/** The edit of one Job's pod-labels include: its output without `key`. */
function dropKeyEdit(source: JobPodLabels["sources"][number], key: string, input: PlanInput, isLabelHelper: (name: string) => boolean): LineEdit | { reason: string } {
  if (source.template === null || source.templateLine === null) return { reason: `the template line of ${source.object}'s pod labels was not found` };
  const file = path.relative(input.chartDir, path.resolve(input.cwd, source.template)).split(path.sep).join("/");
  const text = input.files.get(file);
  if (text === undefined || file.startsWith("../")) return { reason: `the template ${source.template} is not a file of the chart directory` };
  const lines = templateLines(text);
  // The labels key's line, or one of the entries below it (up to the next key at its indentation).
  const first = source.templateLine - 1;
  const indent = (line: string) => line.length - line.trimStart().length;
  for (let i = first; i < lines.length && (i === first || lines[i]!.trimStart().startsWith("{{") || indent(lines[i]!) > indent(lines[first]!)); i++) {
    const match = INCLUDE_ACTION.exec(lines[i]!);
    if (match === null || !isLabelHelper(match[3]!)) continue;
    const replaced = `${match[1]}omit (${match[2]} | fromYaml) "${key}" | toYaml | ${match[4]}`;
    return { file, line: i + 1, count: 1, replacement: [replaced] };
  }
  return { reason: `${source.template}:${source.templateLine} writes ${source.object}'s pod labels without one include of a labels helper that fix can filter` };
}

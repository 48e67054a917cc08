import type { ObjectRef } from "../model/object.ts";
import type { MessageData } from "./messages.ts";

export type Severity = "error" | "warning" | "info";
export const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];

/** Why a label is considered volatile or user-controlled. */
export type Cause = "name" | "chart-version" | "app-version" | "image-tag" | "values" | "random";

export interface Evidence {
  cause?: Cause;
  [detail: string]: unknown;
}

export interface Remedy {
  /** What to change in the chart or manifest. */
  text: string;
  /** For a release that is already deployed: what to run, in order, to migrate safely. */
  commands?: string[];
}

export interface Location {
  /** The file the object was read from: a manifest (`<stdin>` for standard input), or the chart (folder or .tgz) as the user named it. */
  file: string;
  /** `file` is a chart: `line` counts in Helm's output for it, not in a file. */
  rendered?: true;
  /** 1-based line of the field in that file (in Helm's output for a chart). */
  line: number;
  /**
   * The chart template that produced the object (Helm's `# Source:`): relative to the working
   * directory for a chart folder; `web-1.2.0.tgz/templates/x.yaml` for a .tgz; `git:REF:path/templates/x.yaml` for a chart at a revision.
   */
  template?: string;
  /** The line in that template that produced the field, where it could be found. */
  templateLine?: number;
}

/**
 * For `upgrade`: how a finding compares with the release as it is (SARIF's baselineState;
 * upgrade/baseline.ts says how findings are matched): `new` there is nothing like it
 * before the upgrade, `updated` it was there with another severity or other related
 * objects, `unchanged` it was there as it is, `absent` it was there and is gone.
 */
export type BaselineState = "new" | "unchanged" | "updated" | "absent";

export interface Finding {
  rule: string;
  severity: Severity;
  /** Which of the rule's messages this is (`meta.messages`), and the data that filled it. */
  messageId: string;
  data: MessageData;
  /** The message, filled: one line. */
  message: string;
  /** The full explanation for this finding (`meta.details`), when the rule has one. */
  detail?: string;
  object: ObjectRef;
  /** Field path inside the object, e.g. `spec.selector.matchLabels`. */
  path: string;
  location: Location;
  related: ObjectRef[];
  evidence: Evidence;
  remedy: Remedy;
  /** `upgrade` only: new, updated or unchanged against the release as it is. */
  baselineState?: BaselineState;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export interface Summary {
  error: number;
  warning: number;
  info: number;
}

export function summarize(findings: readonly Finding[]): Summary {
  const summary: Summary = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) summary[finding.severity]++;
  return summary;
}

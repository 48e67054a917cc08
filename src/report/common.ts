/**
 * What every report format shares: the result shape it reads, how a suppression is put
 * in words, and where a finding sits in the user's repository.
 *
 * Where a finding sits in the user's repository, for the formats that CI tools map onto
 * files (SARIF, GitHub annotations): a real file, relative to the repository root, with
 * forward slashes — never Helm's output for a chart (`examples/web (rendered)`), stdin,
 * or a template path inside a packaged or historical chart.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { repositoryRoot } from "../load/paths.ts";
import type { Finding, Location, Summary } from "../analyze/finding.ts";
import { IGNORE_ANNOTATION, IGNORE_COMMENT, type SuppressedFinding, type Suppression, type SuppressionKind } from "../analyze/suppress.ts";
import type { Impact } from "../analyze/upgrade/impact.ts";
import type { InputFailure } from "../errors.ts";
import type { ModelNote, ObjectRef } from "../model/object.ts";

/** A check or upgrade result, as far as reports read it (an upgrade result carries `impact`). */
export interface ReportResult {
  findings: readonly Finding[];
  notes: readonly ModelNote[];
  impact?: Impact;
  /** `suppressed` is there once suppressions are applied (`check`, `upgrade`). */
  summary?: Summary & { suppressed?: number };
  /** With `--show-suppressed`: each suppressed finding with what suppressed it. */
  suppressed?: readonly SuppressedFinding[];
  /** Every object that was checked, findings or not (JUnit lists them all). */
  checked?: readonly ObjectRef[];
  /** Charts that could not be rendered and were not checked: the report is incomplete. */
  failed?: readonly InputFailure[];
  /** `upgrade`: findings of the release as it is that the release as it will be no longer has. */
  absent?: readonly Finding[];
}

/** How reports head the findings of an upgrade, by their `baselineState`. */
export const BASELINE_TITLES = {
  introduced: "Introduced or changed by this upgrade",
  present: "Already present before this upgrade",
  absent: "No longer found after this upgrade",
} as const;

export interface BaselineGroups {
  /** New or updated: what `--fail-on` counts by default. */
  introduced: Finding[];
  /** Unchanged: already there on the release as it is. */
  present: Finding[];
  absent: readonly Finding[];
}

/** An upgrade's findings by what the upgrade does to them; undefined for `check`, which has no baseline. */
export function baselineGroups(result: ReportResult): BaselineGroups | undefined {
  if (result.absent === undefined) return undefined;
  const present = result.findings.filter((f) => f.baselineState === "unchanged");
  return { introduced: result.findings.filter((f) => f.baselineState !== "unchanged"), present, absent: result.absent };
}

/** `1 introduced or changed by this upgrade, 2 already present, 1 no longer found`. */
export function baselineCounts(groups: BaselineGroups): string {
  return `${groups.introduced.length} introduced or changed by this upgrade, ${groups.present.length} already present, ${groups.absent.length} no longer found`;
}

/**
 * `incomplete: 1 chart could not be rendered and was not checked`, which every report of
 * an incomplete run says; undefined when every input was checked.
 */
export function incompleteText(result: ReportResult): string | undefined {
  const count = result.failed?.length ?? 0;
  if (count === 0) return undefined;
  return `incomplete: ${count} chart${count === 1 ? "" : "s"} could not be rendered and ${count === 1 ? "was" : "were"} not checked`;
}

/** A finding as a report lists it: with `suppression` when it is a suppressed one. */
export type ReportedFinding = Finding & { suppression?: Suppression };

/** How many findings suppressions hid: the summary's count, which stands also when they are not listed. */
export function suppressedCount(result: ReportResult): number {
  return result.summary?.suppressed ?? result.suppressed?.length ?? 0;
}

/** `, 2 suppressed` after a report's counts, or nothing when none were. */
export function suppressedSuffix(result: ReportResult): string {
  const count = suppressedCount(result);
  return count > 0 ? `, ${count} suppressed` : "";
}

const SUPPRESSED_BY: Record<SuppressionKind, string> = {
  annotation: `the ${IGNORE_ANNOTATION} annotation`,
  comment: `a ${IGNORE_COMMENT} comment`,
  "allowed-overlap": "allowedOverlaps in the config",
  // Its reason already says which rule accepts which cause.
  "probe-cause": "the config",
};

/**
 * What suppressed a finding, in the words every report uses:
 * `a chartguard-ignore comment (web.yaml:9): fixed in 2.0`.
 */
export function suppressionText(suppression: Suppression): string {
  const { file, line, reason } = suppression;
  const where = file === undefined ? "" : ` (${line === undefined ? file : `${file}:${line}`})`;
  return `${SUPPRESSED_BY[suppression.by]}${where}${reason ? `: ${reason}` : ""}`;
}

export interface RepoFiles {
  /** The folder relative paths in findings are relative to (the process's working directory). */
  cwd: string;
  /** The repository root that reported paths are made relative to. */
  root: string;
  isFile(file: string): boolean;
  isDirectory(file: string): boolean;
}

export interface SourcePosition {
  /** Relative to the repository root, with forward slashes; absolute (with forward slashes) when outside it. */
  path: string;
  /** Whether `path` lies inside the repository root. */
  inRepo: boolean;
  /** 1-based; absent when only the file is known. */
  line?: number;
  /** What the position points at: the chart template, the manifest file, or the chart as a whole. */
  kind: "template" | "manifest" | "chart";
}


export function repoFiles(cwd = process.cwd(), root = repositoryRoot(cwd)): RepoFiles {
  const stat = (file: string) => {
    try {
      return statSync(path.resolve(cwd, file));
    } catch {
      return undefined;
    }
  };
  return { cwd, root, isFile: (file) => stat(file)?.isFile() === true, isDirectory: (file) => stat(file)?.isDirectory() === true };
}

/**
 * The best real position for a finding: the template and its line when both are known;
 * else the manifest file when it is a real file (a saved `helm template` output, a
 * manifest); else the template file without a line; else, for a rendered chart, its
 * Chart.yaml (or the .tgz); else undefined (stdin, `git:REF` charts).
 */
export function sourcePosition(location: Location, files: RepoFiles): SourcePosition | undefined {
  const { template, templateLine, file, line, rendered } = location;
  const templateIsFile = template !== undefined && files.isFile(template);
  if (templateIsFile && templateLine !== undefined) return position(template, templateLine, "template", files);
  if (!rendered && files.isFile(file)) return position(file, line, "manifest", files);
  if (templateIsFile) return position(template, undefined, "template", files);
  if (rendered) {
    const chart = file;
    if (files.isDirectory(chart) && files.isFile(path.join(chart, "Chart.yaml"))) return position(path.join(chart, "Chart.yaml"), undefined, "chart", files);
    if (files.isFile(chart)) return position(chart, undefined, "chart", files);
  }
  return undefined;
}

/** Where a chart that failed is best shown: the file and line of its error, else its Chart.yaml (or .tgz). */
export function failurePosition(failure: InputFailure, files: RepoFiles): SourcePosition | undefined {
  const at = failure.file === undefined ? undefined : sourcePosition({ file: failure.file, line: failure.line ?? 1 }, files);
  return at ?? sourcePosition({ file: failure.input, rendered: true, line: 1 }, files);
}

function position(file: string, line: number | undefined, kind: SourcePosition["kind"], files: RepoFiles): SourcePosition {
  const absolute = path.resolve(files.cwd, file);
  const relative = path.relative(files.root, absolute);
  const inRepo = relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
  return {
    path: toSlashes(inRepo ? relative : absolute),
    inRepo,
    kind,
    ...(line === undefined ? {} : { line }),
  };
}

function toSlashes(file: string): string {
  return file.split(path.sep).join("/");
}

/** `note: values.yaml:3: message`: one note as the plain-text reports print it. */
export function noteText(note: ModelNote): string {
  return `note: ${note.file}${note.line === undefined ? "" : `:${note.line}`}: ${note.message}`;
}

/** `Deployment default/web`, `ClusterRole reader`: how reports name an object. */
export function objectLabel(object: ObjectRef): string {
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`;
}

/** Where the finding was seen, as people read it: `templates/x.yaml:12` or `chart (rendered):40`. */
export function whereText(location: Location): string {
  if (location.template !== undefined && location.templateLine !== undefined) return `${location.template}:${location.templateLine}`;
  if (location.template !== undefined) return `${location.template} (rendered line ${location.line})`;
  return `${renderedFileText(location)}:${location.line}`;
}

/** The file a location's line counts in, as people read it: `web.yaml`, or `charts/web (rendered)` for Helm's output. */
export function renderedFileText(location: Location): string {
  return location.rendered ? `${location.file} (rendered)` : location.file;
}

/** The same object (apiVersion, kind, namespace, name) as a map or set key. */
export const refKey = (o: ObjectRef) => `${o.apiVersion}\u0000${o.kind}\u0000${o.namespace ?? ""}\u0000${o.name}`;

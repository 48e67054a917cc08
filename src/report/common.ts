/**
 * What every report format shares: the result shape it reads, how a suppression is put
 * in words, and where a finding sits in the user's repository.
 *
 * Where a finding sits in the user's repository, for the formats that CI tools map onto
 * files (SARIF, GitHub annotations): a real file, relative to the repository root, with
 * forward slashes — never the rendered pseudo-file (`examples/web (rendered)`), stdin,
 * or a template path inside a packaged or historical chart.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { repositoryRoot } from "../load/paths.ts";
import type { Finding, Location, Summary } from "../analyze/finding.ts";
import { IGNORE_ANNOTATION, IGNORE_COMMENT, type SuppressedFinding, type Suppression, type SuppressionKind } from "../analyze/suppress.ts";
import type { Impact } from "../analyze/upgrade/impact.ts";
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

const RENDERED_SUFFIX = " (rendered)";

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
  const { template, templateLine, file, line } = location;
  const templateIsFile = template !== undefined && files.isFile(template);
  if (templateIsFile && templateLine !== undefined) return position(template, templateLine, "template", files);
  if (!file.endsWith(RENDERED_SUFFIX) && files.isFile(file)) return position(file, line, "manifest", files);
  if (templateIsFile) return position(template, undefined, "template", files);
  if (file.endsWith(RENDERED_SUFFIX)) {
    const chart = file.slice(0, -RENDERED_SUFFIX.length);
    if (files.isDirectory(chart) && files.isFile(path.join(chart, "Chart.yaml"))) return position(path.join(chart, "Chart.yaml"), undefined, "chart", files);
    if (files.isFile(chart)) return position(chart, undefined, "chart", files);
  }
  return undefined;
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
  return `${location.file}:${location.line}`;
}

/** The same object (apiVersion, kind, namespace, name) as a map or set key. */
export const refKey = (o: ObjectRef) => `${o.apiVersion}\u0000${o.kind}\u0000${o.namespace ?? ""}\u0000${o.name}`;

/**
 * What an upgrade introduces or changes, told from what the release already has: each
 * finding on the release as it will be (`--to`) is matched with the findings on the
 * release as it is (`--from`), which the same check rules report there.
 *
 * Two findings are the same problem when they have
 * - the same rule,
 * - the same object: Helm's identity (API group, kind, namespace, name; the API version
 *   is not part of it), where an object the upgrade renames or moves to another kind or
 *   group (a replacement: replacements.ts pairs them by selector, containers or claim
 *   spec) is the object it replaces,
 * - the same field path.
 * The message never counts: it carries versions and values that change on every release.
 *
 * - `unchanged`: matched, with the same severity and the same related objects (through
 *   the same renames);
 * - `updated`: matched, but the severity or the related objects differ (an overlap with
 *   other pods than before);
 * - `new`: nothing on the release as it is matches; every upgrade rule's finding is new,
 *   since it is about the change itself;
 * - `absent`: a finding of the release as it is that no finding of the target matches.
 *
 * Findings with the same rule, object and path pair up first with one whose related
 * objects are the same, then in the order they are reported.
 */
import { groupOf, type ObjectRef } from "../../model/object.ts";
import type { BaselineState, Finding } from "../finding.ts";
import type { ReplacedPair } from "./replacements.ts";

export interface BaselineComparison {
  /** The target's findings, in their order, each with its `baselineState`. */
  findings: Finding[];
  /** The findings of the release as it is that the target no longer has. */
  absent: Finding[];
}

export function compareWithBaseline(current: readonly Finding[], previous: readonly Finding[], replaced: readonly ReplacedPair[]): BaselineComparison {
  // Target identities in the previous release's terms: a replacement is the object it replaces.
  const replacing = new Map(replaced.map((pair) => [identity(pair.after.ref), identity(pair.before.ref)]));
  const asBefore = (ref: ObjectRef) => replacing.get(identity(ref)) ?? identity(ref);
  const relatedOf = (finding: Finding, map: (ref: ObjectRef) => string) => finding.related.map(map).sort().join("\u0001");

  const waiting = new Map<string, { finding: Finding; related: string }[]>();
  for (const finding of previous) {
    const key = matchKey(finding, identity(finding.object));
    const entry = { finding, related: relatedOf(finding, identity) };
    const list = waiting.get(key);
    if (list) list.push(entry);
    else waiting.set(key, [entry]);
  }

  const states = new Array<BaselineState>(current.length).fill("new");
  const matched = new Set<Finding>();
  const related = current.map((finding) => relatedOf(finding, asBefore));
  const keys = current.map((finding) => matchKey(finding, asBefore(finding.object)));
  // Pass 1 pairs the findings whose related objects are the same; pass 2 the rest, in order.
  for (const sameRelated of [true, false]) {
    current.forEach((finding, i) => {
      if (states[i] !== "new") return;
      const candidates = waiting.get(keys[i]!);
      const index = candidates?.findIndex((c) => !sameRelated || c.related === related[i]) ?? -1;
      if (index < 0) return;
      const [match] = candidates!.splice(index, 1);
      matched.add(match!.finding);
      states[i] = match!.finding.severity === finding.severity && match!.related === related[i] ? "unchanged" : "updated";
    });
  }
  return {
    findings: current.map((finding, i) => ({ ...finding, baselineState: states[i]! })),
    absent: previous.filter((finding) => !matched.has(finding)),
  };
}

/** What `--fail-on` counts by default: what the upgrade introduces or changes, not what is already there. */
export function introducedByUpgrade(finding: Finding): boolean {
  return finding.baselineState !== "unchanged";
}

/** Helm's identity of an object: API group, kind, namespace, name. */
function identity(ref: ObjectRef): string {
  return [groupOf(ref.apiVersion), ref.kind, ref.namespace ?? "", ref.name].join("\u0000");
}

function matchKey(finding: Finding, objectIdentity: string): string {
  return [finding.rule, objectIdentity, finding.path].join("\u0002");
}

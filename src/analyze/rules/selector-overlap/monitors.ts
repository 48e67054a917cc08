/** ServiceMonitors and PodMonitors: an empty selector, and two monitors over the same targets. */
import type { SelectorConsumer } from "../../../model/consumers.ts";
import { getPath, isRecord, refString, type KubeObject } from "../../../model/object.ts";
import { describeSelector, selectsEverything } from "../../../model/selector.ts";
import type { Workload } from "../../../model/workloads.ts";
import type { AnalysisContext } from "../../context.ts";
import { isLaterCopy } from "../../duplicates.ts";
import { andList, formatMessage } from "../../messages.ts";
import type { ReportFinding } from "../../rule.ts";
import { selectPods, selectServices, sharedSelections } from "./select.ts";

type Selected = Workload | KubeObject;

const REMEDY = {
  ServiceMonitor: "Set spec.selector.matchLabels to the labels of the Services this monitor is for (e.g. app.kubernetes.io/name and app.kubernetes.io/instance, as set on the Service's metadata.labels).",
  PodMonitor: "Set spec.selector.matchLabels to the labels of the pods this monitor is for (e.g. app.kubernetes.io/name and app.kubernetes.io/instance).",
  scrapedTwice: "Keep one monitor per target: delete one of the two, or narrow their selectors so that they select different {{targets}}.",
};

export function checkMonitors(context: AnalysisContext, report: ReportFinding): void {
  const byKind: Record<"ServiceMonitor" | "PodMonitor", { monitor: SelectorConsumer; selected: Selected[] }[]> = { ServiceMonitor: [], PodMonitor: [] };
  for (const consumer of context.consumers) {
    if (consumer.kind !== "ServiceMonitor" && consumer.kind !== "PodMonitor") continue;
    if (isLaterCopy(context, consumer.object)) continue;
    const selected: Selected[] = consumer.kind === "ServiceMonitor" ? selectServices(context, consumer) : selectPods(context, consumer);
    byKind[consumer.kind].push({ monitor: consumer, selected });
    if (!selectsEverything(consumer.selector)) continue;
    const services = consumer.kind === "ServiceMonitor";
    report({
      object: consumer.object,
      path: consumer.selectorPath,
      severity: "warning",
      messageId: consumer.namespaces === undefined ? (services ? "everyServiceAnywhere" : "everyPodAnywhere") : services ? "everyService" : "everyPod",
      data: { selector: consumer.selectorAbsent ? "absent" : "{}", ...(consumer.namespaces === undefined ? {} : { namespaces: andList(consumer.namespaces) }) },
      related: [],
      evidence: { selector: describeSelector(consumer.selector), requirements: consumer.selector.requirements, matches: selected.map(selectedName), suggestedKey: null },
      remedy: { text: REMEDY[consumer.kind] },
    });
  }
  for (const [kind, entries] of Object.entries(byKind)) {
    const scrapes = entries.map((e) => scrapeKeys(e.monitor));
    for (const { first, second, shared } of sharedSelections(entries.map((e) => e.selected))) {
      if (![...scrapes[first]!].some((key) => scrapes[second]!.has(key))) continue;
      const { monitor, selected } = entries[first]!;
      const other = entries[second]!.monitor;
      const otherName = refString(other.object.ref);
      report({
        object: monitor.object,
        path: monitor.selectorPath,
        severity: "warning",
        messageId: "scrapedTwice",
        data: { other: otherName, shared: andList(shared.map(selectedName)) },
        related: [other.object, ...shared.map((item) => (isWorkload(item) ? item.object : item))],
        evidence: { selector: describeSelector(monitor.selector), requirements: monitor.selector.requirements, matches: selected.map(selectedName), suggestedKey: null, otherMonitor: otherName },
        remedy: { text: formatMessage(REMEDY.scrapedTwice, { targets: kind === "ServiceMonitor" ? "Services (by the Services' metadata.labels)" : "pods" }, "remedy scrapedTwice") },
      });
    }
  }
}

/**
 * What each endpoint of a monitor scrapes on a target: its port, path and query parameters.
 * Two monitors over the same targets scrape them twice only where these meet; ones that
 * differ in params probe different things (blackbox-exporter's params.target).
 */
function scrapeKeys(monitor: SelectorConsumer): Set<string> {
  const endpoints = getPath(monitor.object.raw, ["spec", monitor.kind === "ServiceMonitor" ? "endpoints" : "podMetricsEndpoints"]);
  if (!Array.isArray(endpoints)) return new Set();
  return new Set(endpoints.filter(isRecord).map((e) => JSON.stringify([e.port ?? null, e.targetPort ?? e.portNumber ?? null, e.path ?? "/metrics", sortedEntries(e.params)])));
}

function sortedEntries(value: unknown): [string, unknown][] {
  return isRecord(value) ? Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
}

function selectedName(item: Selected): string {
  return isWorkload(item) ? refString(item.object.ref) : refString(item.ref);
}

function isWorkload(item: Selected): item is Workload {
  return "podLabels" in item;
}

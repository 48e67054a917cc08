/**
 * Services that select the pods of several long-running workloads on purpose, and why: the
 * reason is a message id of the rule with its facts, so the finding says it (as info).
 */
import { getPath, isRecord, refString, stringMap, type KubeObject } from "../../../model/object.ts";
import { matches } from "../../../model/selector.ts";
import type { Workload } from "../../../model/workloads.ts";
import type { AnalysisContext } from "../../context.ts";
import type { MessageData } from "../../messages.ts";
import { andList } from "../../messages.ts";

export interface ByDesign {
  messageId: "governsStatefulSets" | "gossipPeers" | "clusterMembers" | "copiesOfOneWorkload" | "servesSharedContainer" | "budgetOverCopies";
  data: MessageData;
}

/** Ports that memberlist (hashicorp/memberlist: Loki, Mimir, Tempo, Cortex, Thanos, ...) gossips on. */
const GOSSIP_PORT = 7946;
const GOSSIP_NAME = /gossip|memberlist/i;

/**
 * Why a Service over several long-running workloads' pods is meant that way, or undefined.
 * A headless Service balances nothing (its name resolves to every ready pod): it governs a
 * StatefulSet among them (spec.serviceName: it exists for the pods' own DNS names), or it is
 * the peer-discovery Service of a gossip ring that every component of the release joins.
 * Any Service may front the members of one clustered database (clusterMembers), or a
 * container every selected workload runs, found by a label none of them selects its own pods by
 * (servesSharedContainer: yugabyte's UI sidecar in its master and tserver pods).
 */
export function spreadByDesign(context: AnalysisContext, service: KubeObject, workloads: readonly Workload[]): ByDesign | undefined {
  const spec = service.raw.spec as { clusterIP?: unknown; ports?: unknown } | undefined;
  if (spec?.clusterIP === "None") {
    const governed = workloads.filter((w) => w.object.ref.kind === "StatefulSet" && serviceNameOf(w) === service.ref.name);
    if (governed.length > 0) {
      return { messageId: "governsStatefulSets", data: { statefulSets: andList(governed.map((w) => refString(w.object.ref))), pod: `${governed[0]!.object.ref.name}-0.${service.ref.name}` } };
    }
    if (gossipService(service, spec.ports)) return { messageId: "gossipPeers", data: {} };
  }
  const cluster = clusterOf(context, workloads);
  if (cluster !== undefined) return { messageId: "clusterMembers", data: { governing: refString(cluster.ref) } };
  if (copiesOfOneWorkload(workloads)) return { messageId: "copiesOfOneWorkload", data: {} };
  const shared = sharedContainers(service, workloads);
  return shared.length > 0 && selectsByOwnLabel(service, workloads) ? { messageId: "servesSharedContainer", data: { containers: andList(shared) } } : undefined;
}

/**
 * The containers every workload runs, with the same image, by name: those a port of the
 * Service names (yugabyte's yugabyted-ui), else all of them.
 */
function sharedContainers(service: KubeObject, workloads: readonly Workload[]): string[] {
  const [first, ...rest] = workloads.map((w) => new Set(containerSignature(w).split(",").filter(Boolean)));
  const shared = [...(first ?? [])].filter((container) => rest.every((signature) => signature.has(container))).map((container) => container.slice(0, container.indexOf("=")));
  const ports = getPath(service.raw, ["spec", "ports"]);
  const portNames = new Set((Array.isArray(ports) ? ports.filter(isRecord) : []).flatMap((port) => [port.name, port.targetPort]));
  const named = shared.filter((container) => portNames.has(container));
  return named.length > 0 ? named : shared;
}

/** Whether the Service selects by labels none of the workloads selects its own pods by: labels put on their pods for it. */
function selectsByOwnLabel(service: KubeObject, workloads: readonly Workload[]): boolean {
  const selector = getPath(service.raw, ["spec", "selector"]);
  const keys = isRecord(selector) ? Object.keys(selector) : [];
  const workloadKeys = new Set(workloads.flatMap((w) => w.selector?.requirements.map((r) => r.key) ?? []));
  return keys.length > 0 && keys.every((key) => !workloadKeys.has(key));
}

/** Why a PDB over several long-running workloads' pods is meant that way, or undefined. */
export function budgetByDesign(workloads: readonly Workload[]): ByDesign | undefined {
  return copiesOfOneWorkload(workloads) ? { messageId: "budgetOverCopies", data: {} } : undefined;
}

/**
 * Whether the workloads are copies of one: two or more of one kind whose containers have the
 * same names and images, and whose names differ only in a zone or shard (`ingester-zone-a`,
 * `-zone-b`; `shard0`, `shard1`; `zone-us-east-1a`). Zone-aware replication (Loki's, Mimir's
 * and Tempo's ingesters: one StatefulSet per zone) splits one application so, and one Service
 * and one budget over all the copies are how it is reached and how its disruptions are
 * counted. A canary runs another image, and a primary and its read replicas (`pg-primary`,
 * `pg-read`) have roles, not zones: neither is a copy.
 */
function copiesOfOneWorkload(workloads: readonly Workload[]): boolean {
  if (workloads.length < 2 || new Set(workloads.map((w) => w.object.ref.kind)).size !== 1) return false;
  const containers = workloads.map(containerSignature);
  if (containers[0] === "" || containers.some((signature) => signature !== containers[0])) return false;
  return differingParts(workloads.map((w) => w.object.ref.name)).every((part) => ZONE_OR_SHARD.test(part));
}

/** What tells copies apart in their names: a letter, a number, or an availability zone. */
const ZONE_OR_SHARD = /^(?:[a-z]|\d+|[a-z]{2}-[a-z]+-\d+[a-z]?)$/;

/** The names without the prefix and the suffix they all share. */
function differingParts(names: readonly string[]): string[] {
  const shortest = Math.min(...names.map((name) => name.length));
  let prefix = 0;
  while (prefix < shortest && names.every((name) => name[prefix] === names[0]![prefix])) prefix++;
  // A number is one part: shard1 and shard11 differ in 1 and 11.
  while (prefix > 0 && /\d/.test(names[0]![prefix - 1]!)) prefix--;
  let suffix = 0;
  while (suffix < shortest - prefix && names.every((name) => name[name.length - 1 - suffix] === names[0]![names[0]!.length - 1 - suffix])) suffix++;
  return names.map((name) => name.slice(prefix, name.length - suffix));
}

/** The workload's containers as `name=image`, sorted: what its pods run. */
function containerSignature(workload: Workload): string {
  const containers = getPath(workload.object.raw, [...workload.templatePath, "spec", "containers"]);
  if (!Array.isArray(containers)) return "";
  return containers.map((c: unknown) => (isRecord(c) ? `${String(c.name)}=${String(c.image)}` : "")).sort().join(",");
}

function gossipService(service: KubeObject, ports: unknown): boolean {
  const list = Array.isArray(ports) ? (ports as unknown[]) : [];
  const gossipPort = list.some((port) => {
    const { name, port: number, targetPort } = (port ?? {}) as { name?: unknown; port?: unknown; targetPort?: unknown };
    return number === GOSSIP_PORT || targetPort === GOSSIP_PORT || (typeof name === "string" && GOSSIP_NAME.test(name)) || (typeof targetPort === "string" && GOSSIP_NAME.test(targetPort));
  });
  return gossipPort || GOSSIP_NAME.test(service.ref.name);
}

/**
 * The headless Service that makes the workloads members of one cluster, or undefined: every
 * one is a StatefulSet governed by that same Service (one spec.serviceName), and it is in
 * the render and selects all their pods, so the pods find each other as peers under one DNS
 * domain. Shards of a ClickHouse cluster, the coordinators of Dremio: one client Service
 * over all of them is how the database is reached, not a Service that caught a stranger.
 */
function clusterOf(context: AnalysisContext, workloads: readonly Workload[]): KubeObject | undefined {
  if (workloads.length < 2 || workloads.some((w) => w.object.ref.kind !== "StatefulSet" || w.runsToCompletion)) return undefined;
  const names = new Set(workloads.map(serviceNameOf));
  const [name] = names;
  if (names.size !== 1 || typeof name !== "string" || name === "") return undefined;
  const governing = context.find("Service", workloads[0]!.object.ref.namespace, name);
  if (governing === undefined || (governing.raw.spec as { clusterIP?: unknown } | undefined)?.clusterIP !== "None") return undefined;
  const consumer = context.consumers.find((c) => c.object === governing);
  if (consumer === undefined || !workloads.every((w) => matches(consumer.selector, w.podLabels))) return undefined;
  return governing;
}

function serviceNameOf(workload: Workload): unknown {
  return getPath(workload.object.raw, ["spec", "serviceName"]);
}

/** Two DaemonSets whose pods run on disjoint nodes: their nodeSelectors give one key two different values (`kubernetes.io/os`: linux, windows). */
export function daemonSetsOnDisjointNodes(a: Workload, b: Workload): boolean {
  if (a.object.ref.kind !== "DaemonSet" || b.object.ref.kind !== "DaemonSet") return false;
  const selectorOf = (w: Workload) => stringMap(getPath(w.object.raw, [...w.templatePath, "spec", "nodeSelector"]));
  const first = selectorOf(a);
  const second = selectorOf(b);
  return Object.keys(first).some((key) => second[key] !== undefined && second[key] !== first[key]);
}

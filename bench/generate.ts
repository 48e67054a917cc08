/**
 * Deterministic inputs for `npm run bench` (and for tests, at small sizes).
 *
 * - Cluster dumps shaped like `kubectl get deploy,sts,ds,job,cronjob,svc,pdb,hpa -A -o yaml`
 *   prints them: ONE `kind: List` document with every object under `items`, keys sorted,
 *   status and server-set metadata included, managedFields hidden (kubectl's default).
 *   Also as one List per namespace, or one document per object.
 * - Labels as real clusters carry them: Helm releases with app.kubernetes.io/* and
 *   helm.sh/chart (some charts put the chart label into pod templates as well), plain
 *   `app:` labels on hand-written manifests, controller labels on Jobs spawned by CronJobs.
 * - A few real overlaps, planted and returned so that tests can check they are found:
 *   a migration Job whose pods carry the app's selector labels, a canary Deployment with
 *   the same selector as the stable one, and two PDBs over the same pods.
 * - N small Helm charts in a directory tree.
 *
 * The same spec always produces the same bytes (seeded PRNG, no clock, no randomness).
 */
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { once } from "node:events";
import { resolvePlainScalar } from "../src/load/k8s-scalars.ts";

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  float(): number {
    return this.next();
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  hex(length: number): string {
    let out = "";
    while (out.length < length) out += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, "0");
    return out.slice(0, length);
  }
  uid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// A small YAML emitter in kubectl's style: block style, sorted keys, `- ` items at the
// parent's indentation, strings quoted only where a plain scalar would read differently.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const PLAIN_SAFE = /^[A-Za-z0-9_/][A-Za-z0-9_.\/%+=@:, ()-]*$/;
const PLAIN_UNSAFE = /: | #|[: ]$/;

function scalar(value: null | boolean | number | string): string {
  if (value === null) return "null";
  if (typeof value !== "string") return String(value);
  if (PLAIN_SAFE.test(value) && !PLAIN_UNSAFE.test(value) && resolvePlainScalar(value) === value) return value;
  return JSON.stringify(value);
}

function isEmptyCollection(value: Json): boolean {
  return Array.isArray(value) ? value.length === 0 : value !== null && typeof value === "object" && Object.keys(value).length === 0;
}

function emptyText(value: Json): string {
  return Array.isArray(value) ? "[]" : "{}";
}

function emitMap(map: { [key: string]: Json }, indent: string, out: string[], firstPrefix?: string): void {
  const keys = Object.keys(map).sort();
  keys.forEach((key, i) => {
    const value = map[key]!;
    const lead = i === 0 && firstPrefix !== undefined ? firstPrefix : indent;
    const k = scalar(key);
    if (value !== null && typeof value === "object") {
      if (isEmptyCollection(value)) out.push(`${lead}${k}: ${emptyText(value)}\n`);
      else if (Array.isArray(value)) {
        out.push(`${lead}${k}:\n`);
        emitSeq(value, indent, out);
      } else {
        out.push(`${lead}${k}:\n`);
        emitMap(value, `${indent}  `, out);
      }
    } else {
      out.push(`${lead}${k}: ${scalar(value)}\n`);
    }
  });
}

/** kubectl (go-yaml) prints sequence items at the indentation of their parent key. */
function emitSeq(items: Json[], indent: string, out: string[]): void {
  for (const item of items) {
    if (item !== null && typeof item === "object" && !Array.isArray(item) && !isEmptyCollection(item)) {
      emitMap(item, `${indent}  `, out, `${indent}- `);
    } else if (item !== null && typeof item === "object") {
      out.push(`${indent}- ${emptyText(item)}\n`);
    } else {
      out.push(`${indent}- ${scalar(item)}\n`);
    }
  }
}

/** One object as a YAML document body (no `---`). */
export function toYaml(object: { [key: string]: Json }): string {
  const out: string[] = [];
  emitMap(object, "", out);
  return out.join("");
}

/** One object as an item of a List's `items:` (`- ` at column 0, as kubectl prints). */
function toListItem(object: { [key: string]: Json }): string {
  const out: string[] = [];
  emitMap(object, "  ", out, "- ");
  return out.join("");
}

// ---------------------------------------------------------------------------------------------
// Cluster dumps

export type DumpFormat = "list" | "namespace-lists" | "multi-doc";

export interface DumpSpec {
  /** Stop after this many objects (exactly). */
  objects?: number;
  /** Or: stop once this many workloads exist (the release being written is completed). */
  workloads?: number;
  namespaces: number;
  /** `list` (default): one `kind: List`, as `kubectl get -A -o yaml` prints. */
  format?: DumpFormat;
  seed?: number;
  /** Planted overlaps; default max(3, objects / 2500). Ignored by the finding-heavy shapes. */
  overlaps?: number;
  /** What the releases look like (default `realistic`); see DumpShape. */
  shape?: DumpShape;
}

/**
 * - `realistic`: a cluster as it runs, with a few planted overlaps.
 * - `dangling`: a finding on most objects. Every release is a Deployment whose pod
 *   template has no labels, a Service and a PodDisruptionBudget selecting the pods it
 *   should have had (both dangle), and a Job with labels of its own.
 * - `job-overlap`: every Service takes in a Job's pods (a migration Job carrying the
 *   server's selector labels), and every PodDisruptionBudget selects a component no
 *   workload has (it dangles).
 */
export type DumpShape = "realistic" | "dangling" | "job-overlap";

export type PlantKind = "migration-job" | "canary" | "double-pdb";

export interface PlantedOverlap {
  kind: PlantKind;
  namespace: string;
  /** `Kind/name` of the objects whose selectors take in foreign pods. */
  selectors: string[];
  /** `Kind/name` of the workloads whose pods are taken in by them. */
  foreign: string[];
}

export interface DumpSummary {
  objects: number;
  workloads: number;
  namespaces: number;
  bytes: number;
  planted: PlantedOverlap[];
}

type Obj = { [key: string]: Json };

const CHARTS = [
  ["api", "1.4.2", "2.8.0"], ["web", "0.9.12", "1.25.3"], ["worker", "3.1.0", "3.1.0"], ["redis", "18.6.1", "7.2.4"],
  ["postgresql", "13.2.24", "16.1.0"], ["nginx", "15.10.3", "1.25.3"], ["grafana", "7.3.0", "10.3.1"],
  ["keycloak", "18.4.0", "23.0.6"], ["kafka", "26.8.5", "3.6.1"], ["rabbitmq", "12.9.3", "3.12.12"],
  ["mongodb", "14.8.0", "7.0.5"], ["memcached", "6.14.0", "1.6.23"], ["minio", "13.3.4", "2024.1.29"],
  ["elasticsearch", "19.17.1", "8.12.0"], ["frontend", "2.0.1", "2.0.1"], ["gateway", "0.31.0", "0.31.0"],
  ["payments", "5.2.0", "5.2.0"], ["search", "1.1.7", "1.1.7"], ["notifier", "0.4.3", "0.4.3"], ["scheduler", "2.2.0", "2.2.0"],
] as const;
const TEAMS = ["shop", "billing", "platform", "data", "identity", "search", "media", "ops", "growth", "core", "edge", "ml"];
const REGISTRY = "registry.example.com";
const TIMESTAMP = "2024-05-14T09:21:07Z";

interface Release {
  namespace: string;
  release: string;
  chart: string;
  chartVersion: string;
  appVersion: string;
  /** Bitnami-style: chart and version labels in pod templates too (F3, found as volatile labels). */
  volatilePods: boolean;
  /** Hand-written manifests (`app:` labels, last-applied-configuration) rather than Helm. */
  plain: boolean;
}

interface Emitted {
  object: Obj;
  workload: boolean;
}

class DumpBuilder {
  readonly rnd: Random;
  constructor(seed: number) {
    this.rnd = new Random(seed);
  }

  metadata(r: Release, name: string, labels: Obj, extraAnnotations: Obj = {}): Obj {
    const annotations: Obj = { ...extraAnnotations };
    if (!r.plain) {
      annotations["meta.helm.sh/release-name"] = r.release;
      annotations["meta.helm.sh/release-namespace"] = r.namespace;
    }
    return {
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      creationTimestamp: TIMESTAMP,
      labels,
      name,
      namespace: r.namespace,
      resourceVersion: String(100000 + this.rnd.int(90000000)),
      uid: this.rnd.uid(),
      generation: 1 + this.rnd.int(12),
    };
  }

  objectLabels(r: Release, component: string): Obj {
    if (r.plain) return { app: r.release, tier: component };
    return {
      "app.kubernetes.io/component": component,
      "app.kubernetes.io/instance": r.release,
      "app.kubernetes.io/managed-by": "Helm",
      "app.kubernetes.io/name": r.chart,
      "app.kubernetes.io/part-of": r.namespace.replace(/-\d+$/, ""),
      "app.kubernetes.io/version": r.appVersion,
      "helm.sh/chart": `${r.chart}-${r.chartVersion}`,
    };
  }

  selectorLabels(r: Release, component: string): Obj {
    if (r.plain) return { app: r.release, tier: component };
    return { "app.kubernetes.io/component": component, "app.kubernetes.io/instance": r.release, "app.kubernetes.io/name": r.chart };
  }

  podLabels(r: Release, component: string): Obj {
    const labels = this.selectorLabels(r, component);
    if (r.volatilePods && !r.plain) {
      labels["helm.sh/chart"] = `${r.chart}-${r.chartVersion}`;
      labels["app.kubernetes.io/version"] = r.appVersion;
      labels["app.kubernetes.io/managed-by"] = "Helm";
    }
    return labels;
  }

  podSpec(r: Release, component: string, restartPolicy = "Always"): Obj {
    const container: Obj = {
      image: `${REGISTRY}/${r.namespace.replace(/-\d+$/, "")}/${r.chart}:${r.appVersion}`,
      imagePullPolicy: "IfNotPresent",
      name: component === "server" ? r.chart : `${r.chart}-${component}`,
      resources: { limits: { cpu: "500m", memory: "512Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
    };
    if (restartPolicy === "Always") {
      container.ports = [{ containerPort: 8080, name: "http", protocol: "TCP" }];
      container.readinessProbe = {
        failureThreshold: 3,
        httpGet: { path: "/healthz", port: "http", scheme: "HTTP" },
        periodSeconds: 10,
        successThreshold: 1,
        timeoutSeconds: 1,
      };
      container.env = [
        { name: "LOG_LEVEL", value: "info" },
        { name: "POD_NAMESPACE", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } } },
      ];
    } else {
      container.args = ["--migrate", "--timeout=300s"];
    }
    return {
      containers: [container],
      dnsPolicy: "ClusterFirst",
      restartPolicy,
      schedulerName: "default-scheduler",
      securityContext: {},
      ...(r.plain ? {} : { serviceAccountName: r.release }),
      terminationGracePeriodSeconds: 30,
    };
  }

  template(labels: Obj, spec: Obj): Obj {
    return { metadata: { creationTimestamp: null, labels }, spec };
  }

  deployment(r: Release, name: string, component: string, selector: Obj, podLabels: Obj): Obj {
    const replicas = 1 + this.rnd.int(3);
    const annotations: Obj = { "deployment.kubernetes.io/revision": String(1 + this.rnd.int(20)) };
    if (r.plain) annotations["kubectl.kubernetes.io/last-applied-configuration"] = lastApplied("apps/v1", "Deployment", name, r.namespace, podLabels);
    return {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: this.metadata(r, name, this.objectLabels(r, component), annotations),
      spec: {
        progressDeadlineSeconds: 600,
        replicas,
        revisionHistoryLimit: 10,
        selector: { matchLabels: selector },
        strategy: { rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" }, type: "RollingUpdate" },
        template: this.template(podLabels, this.podSpec(r, component)),
      },
      status: {
        availableReplicas: replicas,
        conditions: [
          { lastTransitionTime: TIMESTAMP, lastUpdateTime: TIMESTAMP, message: "Deployment has minimum availability.", reason: "MinimumReplicasAvailable", status: "True", type: "Available" },
          { lastTransitionTime: TIMESTAMP, lastUpdateTime: TIMESTAMP, message: `ReplicaSet "${name}-${this.rnd.hex(10)}" has successfully progressed.`, reason: "NewReplicaSetAvailable", status: "True", type: "Progressing" },
        ],
        observedGeneration: 1 + this.rnd.int(12),
        readyReplicas: replicas,
        replicas,
        updatedReplicas: replicas,
      },
    };
  }

  statefulSet(r: Release, name: string, component: string): Obj {
    const replicas = 1 + this.rnd.int(3);
    const claimLabels = this.selectorLabels(r, component);
    return {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: this.metadata(r, name, this.objectLabels(r, component)),
      spec: {
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        podManagementPolicy: "OrderedReady",
        replicas,
        revisionHistoryLimit: 10,
        selector: { matchLabels: this.selectorLabels(r, component) },
        serviceName: `${name}-headless`,
        template: this.template(this.podLabels(r, component), this.podSpec(r, component)),
        updateStrategy: { rollingUpdate: { partition: 0 }, type: "RollingUpdate" },
        volumeClaimTemplates: [
          {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { creationTimestamp: null, labels: claimLabels, name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "8Gi" } }, volumeMode: "Filesystem" },
            status: { phase: "Pending" },
          },
        ],
      },
      status: {
        availableReplicas: replicas,
        collisionCount: 0,
        currentReplicas: replicas,
        currentRevision: `${name}-${this.rnd.hex(10)}`,
        observedGeneration: 1,
        readyReplicas: replicas,
        replicas,
        updateRevision: `${name}-${this.rnd.hex(10)}`,
        updatedReplicas: replicas,
      },
    };
  }

  daemonSet(r: Release, name: string, component: string): Obj {
    return {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: this.metadata(r, name, this.objectLabels(r, component), { "deprecated.daemonset.template.generation": "1" }),
      spec: {
        revisionHistoryLimit: 10,
        selector: { matchLabels: this.selectorLabels(r, component) },
        template: this.template(this.podLabels(r, component), this.podSpec(r, component)),
        updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: "RollingUpdate" },
      },
      status: { currentNumberScheduled: 6, desiredNumberScheduled: 6, numberAvailable: 6, numberMisscheduled: 0, numberReady: 6, observedGeneration: 1, updatedNumberScheduled: 6 },
    };
  }

  cronJob(r: Release, name: string, component: string): Obj {
    return {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: this.metadata(r, name, this.objectLabels(r, component)),
      spec: {
        concurrencyPolicy: "Forbid",
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          metadata: { creationTimestamp: null },
          spec: { backoffLimit: 2, template: this.template(this.podLabels(r, component), this.podSpec(r, component, "OnFailure")) },
        },
        schedule: `${this.rnd.int(60)} ${this.rnd.int(24)} * * *`,
        successfulJobsHistoryLimit: 3,
        suspend: false,
      },
      status: { lastScheduleTime: TIMESTAMP, lastSuccessfulTime: TIMESTAMP },
    };
  }

  /** A Job as the API server stores it: controller-uid selector and pod labels added. */
  job(r: Release, name: string, component: string, podLabels: Obj, hook = false): Obj {
    const uid = this.rnd.uid();
    const annotations: Obj = hook ? { "helm.sh/hook": "pre-upgrade", "helm.sh/hook-delete-policy": "before-hook-creation" } : {};
    const metadata = this.metadata(r, name, { ...this.objectLabels(r, component), "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name, "controller-uid": uid, "job-name": name }, annotations);
    metadata.uid = uid;
    return {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata,
      spec: {
        backoffLimit: 2,
        completionMode: "NonIndexed",
        completions: 1,
        manualSelector: false,
        parallelism: 1,
        podReplacementPolicy: "TerminatingOrFailed",
        selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } },
        suspend: false,
        template: this.template(
          { ...podLabels, "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name, "controller-uid": uid, "job-name": name },
          this.podSpec(r, component, "Never"),
        ),
      },
      status: { completionTime: TIMESTAMP, conditions: [{ lastProbeTime: TIMESTAMP, lastTransitionTime: TIMESTAMP, status: "True", type: "Complete" }], ready: 0, startTime: TIMESTAMP, succeeded: 1, terminating: 0 },
    };
  }

  service(r: Release, name: string, component: string, selector: Obj): Obj {
    const octet = () => 1 + this.rnd.int(254);
    const ip = `10.96.${octet()}.${octet()}`;
    return {
      apiVersion: "v1",
      kind: "Service",
      metadata: this.metadata(r, name, this.objectLabels(r, component)),
      spec: {
        clusterIP: ip,
        clusterIPs: [ip],
        internalTrafficPolicy: "Cluster",
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
        ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: 8080 }],
        selector,
        sessionAffinity: "None",
        type: "ClusterIP",
      },
      status: { loadBalancer: {} },
    };
  }

  pdb(r: Release, name: string, component: string, selector: Obj): Obj {
    return {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: this.metadata(r, name, this.objectLabels(r, component)),
      spec: { minAvailable: 1, selector: { matchLabels: selector } },
      status: { conditions: [{ lastTransitionTime: TIMESTAMP, message: "", observedGeneration: 1, reason: "SufficientPods", status: "True", type: "DisruptionAllowed" }], currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1, expectedPods: 2, observedGeneration: 1 },
    };
  }

  hpa(r: Release, name: string, component: string, target: string): Obj {
    return {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: this.metadata(r, name, this.objectLabels(r, component)),
      spec: {
        maxReplicas: 10,
        metrics: [{ resource: { name: "cpu", target: { averageUtilization: 80, type: "Utilization" } }, type: "Resource" }],
        minReplicas: 2,
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target },
      },
      status: { currentMetrics: null, currentReplicas: 2, desiredReplicas: 2 },
    };
  }

  /** One release of a finding-heavy shape: four objects, each selector dangling or overlapping as the shape says. */
  findingsRelease(r: Release, shape: "dangling" | "job-overlap"): Emitted[] {
    const name = r.release;
    const selector = this.selectorLabels(r, "server");
    const deployment = this.deployment(r, name, "server", selector, this.podLabels(r, "server"));
    if (shape === "dangling") delete ((deployment.spec as Obj).template as { metadata: Obj }).metadata.labels;
    const job =
      shape === "dangling"
        ? this.job(r, `${name}-cleanup`, "cleanup", this.podLabels(r, "cleanup"))
        : this.job(r, `${name}-migrate`, "server", this.podLabels(r, "server"), true);
    const pdbSelector = shape === "dangling" ? selector : this.selectorLabels(r, "absent");
    return [
      { object: deployment, workload: true },
      { object: this.service(r, name, "server", selector), workload: false },
      { object: job, workload: true },
      { object: this.pdb(r, name, "server", pdbSelector), workload: false },
    ];
  }

  /** One release's objects; `plant` turns it into one of the planted overlaps. */
  release(r: Release, plant: PlantKind | undefined, planted: PlantedOverlap[]): Emitted[] {
    const out: Emitted[] = [];
    const add = (object: Obj, workload = false) => out.push({ object, workload });
    const name = r.release;
    const ref = (kind: string, n: string) => `${kind}/${n}`;
    const selector = this.selectorLabels(r, "server");
    add(this.deployment(r, name, "server", selector, this.podLabels(r, "server")), true);
    add(this.service(r, name, "server", selector));
    const withPdb = plant === "double-pdb" || this.rnd.chance(0.5);
    if (withPdb) add(this.pdb(r, name, "server", selector));
    if (this.rnd.chance(0.4)) add(this.hpa(r, name, "server", name));
    if (this.rnd.chance(0.12)) {
      add(this.statefulSet(r, `${name}-db`, "database"), true);
      add(this.service(r, `${name}-db`, "database", this.selectorLabels(r, "database")));
    }
    if (this.rnd.chance(0.15)) {
      add(this.cronJob(r, `${name}-cleanup`, "cleanup"), true);
      const runs = 1 + this.rnd.int(3);
      for (let i = 0; i < runs; i++) add(this.job(r, `${name}-cleanup-${28000000 + this.rnd.int(999999)}`, "cleanup", this.podLabels(r, "cleanup")), true);
    }
    if (this.rnd.chance(0.03)) add(this.daemonSet(r, `${name}-agent`, "agent"), true);

    switch (plant) {
      case "migration-job": {
        // F2: the migration hook Job's pods carry the server's selector labels.
        const job = `${name}-migrate`;
        add(this.job(r, job, "server", this.podLabels(r, "server"), true), true);
        planted.push({ kind: plant, namespace: r.namespace, selectors: [ref("Deployment", name), ref("Service", name)], foreign: [ref("Job", job)] });
        break;
      }
      case "canary": {
        // Two Deployments with one selector: each takes in the other's pods.
        const canary = `${name}-canary`;
        add(this.deployment(r, canary, "server", selector, this.podLabels(r, "server")), true);
        planted.push({ kind: plant, namespace: r.namespace, selectors: [ref("Deployment", name), ref("Deployment", canary), ref("Service", name)], foreign: [ref("Deployment", canary)] });
        break;
      }
      case "double-pdb": {
        const second = `${name}-budget`;
        add(this.pdb(r, second, "server", selector));
        planted.push({ kind: plant, namespace: r.namespace, selectors: [ref("PodDisruptionBudget", name)], foreign: [ref("Deployment", name)] });
        break;
      }
      case undefined:
        break;
    }
    return out;
  }
}

function lastApplied(apiVersion: string, kind: string, name: string, namespace: string, labels: Obj): string {
  return `${JSON.stringify({ apiVersion, kind, metadata: { annotations: {}, labels, name, namespace }, spec: { template: { metadata: { labels } } } })}\n`;
}

function namespaceName(i: number): string {
  return `${TEAMS[i % TEAMS.length]}-${String(i).padStart(4, "0")}`;
}

const PLANT_KINDS: readonly PlantKind[] = ["migration-job", "canary", "double-pdb"];

/**
 * Streams a dump as text chunks; the summary is the generator's return value.
 * Releases are spread over namespaces round-robin; kubectl sorts by namespace, so each
 * namespace's objects come out together.
 */
export function* dumpChunks(spec: DumpSpec): Generator<string, DumpSummary> {
  const format = spec.format ?? "list";
  if (spec.objects === undefined && spec.workloads === undefined) throw new Error("DumpSpec needs objects or workloads");
  const builder = new DumpBuilder(spec.seed ?? 42);
  const rnd = builder.rnd;
  const namespaces = Math.max(1, spec.namespaces);
  const sizeHint = spec.objects ?? Math.round((spec.workloads ?? 0) * 2.27);
  const shape = spec.shape ?? "realistic";
  const overlaps = shape !== "realistic" ? 0 : (spec.overlaps ?? Math.max(3, Math.round(sizeHint / 2500)));
  // Which releases get a plant: evenly spread, by release index.
  const releasesHint = Math.max(1, Math.round(sizeHint / 3.6));
  const plantEvery = Math.max(1, Math.floor(releasesHint / Math.max(1, overlaps)));

  const planted: PlantedOverlap[] = [];
  let objects = 0;
  let workloads = 0;
  let bytes = 0;
  let releaseIndex = 0;
  const done = () => (spec.objects !== undefined ? objects >= spec.objects : workloads >= (spec.workloads ?? 0));
  const emit = function* (text: string): Generator<string> {
    bytes += Buffer.byteLength(text);
    yield text;
  };

  if (format === "list") yield* emit("apiVersion: v1\nitems:\n");
  // Each namespace gets its share of the objects (or workloads), written in one piece as
  // kubectl sorts by namespace; past the last namespace, releases wrap around to the first.
  const target = spec.objects ?? spec.workloads ?? 0;
  // Namespace k fills up to its share of the running total, so every namespace gets objects.
  const upTo = (k: number) => Math.max(k + 1, Math.ceil((target * (k + 1)) / namespaces));
  let ns = 0;
  while (!done()) {
    const namespace = namespaceName(ns % namespaces);
    const chunks: string[] = [];
    let inNamespace = 0;
    const count = () => (spec.objects !== undefined ? objects : workloads);
    const limit = ns < namespaces ? upTo(ns) : Infinity;
    for (let k = 0; !done() && (k === 0 || count() < limit); k++, releaseIndex++) {
      const [chart, chartVersion, appVersion] = rnd.pick(CHARTS);
      const plain = shape === "realistic" && rnd.chance(0.1);
      const r: Release = {
        namespace,
        release: namespaces === 1 || ns >= namespaces ? `${chart}-${String(releaseIndex).padStart(5, "0")}` : `${chart}-${k}`,
        chart,
        chartVersion,
        appVersion,
        volatilePods: rnd.chance(0.3),
        plain,
      };
      const plant = !plain && planted.length < overlaps && releaseIndex % plantEvery === Math.floor(plantEvery / 2) ? PLANT_KINDS[planted.length % PLANT_KINDS.length] : undefined;
      const before = planted.length;
      let emitted = shape === "realistic" ? builder.release(r, plant, planted) : builder.findingsRelease(r, shape);
      if (spec.objects !== undefined && objects + emitted.length > spec.objects) {
        emitted = emitted.slice(0, spec.objects - objects);
        if (planted.length > before) planted.pop(); // a cut release does not keep its plant
      }
      for (const { object, workload } of emitted) {
        objects++;
        inNamespace++;
        if (workload) workloads++;
        chunks.push(format === "multi-doc" ? `---\n${toYaml(object)}` : toListItem(object));
      }
    }
    if (inNamespace > 0) {
      if (format === "namespace-lists") {
        yield* emit(`---\napiVersion: v1\nitems:\n`);
        for (const c of chunks) yield* emit(c);
        yield* emit(`kind: List\nmetadata:\n  resourceVersion: ""\n`);
      } else {
        for (const c of chunks) yield* emit(c);
      }
    }
    ns++;
  }
  if (format === "list") yield* emit(`kind: List\nmetadata:\n  resourceVersion: ""\n`);
  return { objects, workloads, namespaces: Math.min(ns, namespaces), bytes, planted };
}

export function generateDump(spec: DumpSpec): DumpSummary & { text: string } {
  const parts: string[] = [];
  const iterator = dumpChunks(spec);
  for (;;) {
    const step = iterator.next();
    if (step.done) return { ...step.value, text: parts.join("") };
    parts.push(step.value);
  }
}

/** Writes a dump to `path` without holding it in memory. */
export async function writeDump(path: string, spec: DumpSpec): Promise<DumpSummary> {
  const stream = createWriteStream(path);
  const iterator = dumpChunks(spec);
  let pending = "";
  for (;;) {
    const step = iterator.next();
    if (step.done) {
      stream.end(pending);
      await once(stream, "finish");
      return step.value;
    }
    pending += step.value;
    if (pending.length > 1 << 20) {
      if (!stream.write(pending)) await once(stream, "drain");
      pending = "";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Charts

export interface ChartsSpec {
  charts: number;
  seed?: number;
  /** Charts per group directory (`DIR/<group>/<chart>`). Default 20. */
  perGroup?: number;
}

export interface ChartsSummary {
  charts: string[];
  /** Chart paths with a planted F2 (a migration Job with the selector labels). */
  plantedOverlap: string[];
  /** Chart paths with helm.sh/chart in the pod template (F3). */
  plantedVolatile: string[];
}

const HELPERS = `{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "app.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "app.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "app.labels" -}}
helm.sh/chart: {{ include "app.chart" . }}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
`;

function chartFiles(name: string, version: string, appVersion: string, opts: { volatilePods: boolean; migration: boolean; cron: boolean }): Record<string, string> {
  const podLabels = opts.volatilePods ? `{{- include "app.labels" . | nindent 8 }}` : `{{- include "app.selectorLabels" . | nindent 8 }}\n        app.kubernetes.io/component: server`;
  const files: Record<string, string> = {
    "Chart.yaml": `apiVersion: v2\nname: ${name}\ndescription: A generated benchmark chart\ntype: application\nversion: ${version}\nappVersion: "${appVersion}"\n`,
    "values.yaml": `replicaCount: 2\nimage:\n  repository: ${REGISTRY}/${name}\n  tag: "${appVersion}"\n  pullPolicy: IfNotPresent\nservice:\n  port: 80\npodLabels: {}\nresources:\n  limits:\n    cpu: 500m\n    memory: 512Mi\n  requests:\n    cpu: 100m\n    memory: 128Mi\nautoscaling:\n  enabled: true\n  minReplicas: 2\n  maxReplicas: 10\npdb:\n  enabled: true\n`,
    "templates/_helpers.tpl": HELPERS,
    "templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
    app.kubernetes.io/component: server
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "app.selectorLabels" . | nindent 6 }}
      app.kubernetes.io/component: server
  template:
    metadata:
      labels:
        ${podLabels}
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
`,
    "templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  ports:
    - port: {{ .Values.service.port }}
      targetPort: 8080
      protocol: TCP
      name: http
  selector:
    {{- include "app.selectorLabels" . | nindent 4 }}
    app.kubernetes.io/component: server
`,
    "templates/hpa.yaml": `{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "app.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 80
{{- end }}
`,
    "templates/pdb.yaml": `{{- if .Values.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      {{- include "app.selectorLabels" . | nindent 6 }}
      app.kubernetes.io/component: server
{{- end }}
`,
  };
  if (opts.migration) {
    files["templates/migration-job.yaml"] = `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "app.fullname" . }}-migrate
  labels:
    {{- include "app.labels" . | nindent 4 }}
  annotations:
    helm.sh/hook: pre-upgrade
spec:
  template:
    metadata:
      labels:
        {{- include "app.selectorLabels" . | nindent 8 }}
        app.kubernetes.io/component: server
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          args: ["--migrate"]
`;
  }
  if (opts.cron) {
    files["templates/cronjob.yaml"] = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ include "app.fullname" . }}-cleanup
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  schedule: "17 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            {{- include "app.selectorLabels" . | nindent 12 }}
            app.kubernetes.io/component: cleanup
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
`;
  }
  return files;
}

/** Writes `spec.charts` charts below `dir` (`dir/group-NN/<chart>`), deterministically. */
export async function writeCharts(dir: string, spec: ChartsSpec): Promise<ChartsSummary> {
  const rnd = new Random(spec.seed ?? 7);
  const perGroup = spec.perGroup ?? 20;
  const summary: ChartsSummary = { charts: [], plantedOverlap: [], plantedVolatile: [] };
  for (let i = 0; i < spec.charts; i++) {
    const [base, version, appVersion] = rnd.pick(CHARTS);
    const name = `${base}-${String(i).padStart(3, "0")}`;
    const chartDir = join(dir, `group-${String(Math.floor(i / perGroup)).padStart(2, "0")}`, name);
    const migration = i % 10 === 3;
    const volatilePods = i % 4 === 1;
    const files = chartFiles(name, version, appVersion, { volatilePods, migration, cron: rnd.chance(0.3) });
    for (const [file, text] of Object.entries(files)) {
      const path = join(chartDir, file);
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, text);
    }
    summary.charts.push(chartDir);
    if (migration) summary.plantedOverlap.push(chartDir);
    if (volatilePods) summary.plantedVolatile.push(chartDir);
  }
  return summary;
}

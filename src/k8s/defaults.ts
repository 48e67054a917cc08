/**
 * API-server defaulting, so that two manifests are compared the way the API server
 * compares the stored object with the update: a field the chart leaves out is compared
 * as its default (docs/k8s-rules.md §1.5 analyzer notes: "Defaulting happens before
 * validation"), and writing the default out explicitly is not a change.
 *
 * Sources: docs/k8s-rules.md §1.19 lists every default here with its public source, the
 * Kubernetes defaulting function `SetDefaults_*` in kubernetes/kubernetes
 * `pkg/apis/{apps,batch,core,storage}/v1/defaults.go`
 * (https://github.com/kubernetes/kubernetes/tree/master/pkg/apis); each entry names its
 * function and section. Quantities: apimachinery `pkg/api/resource/quantity.go`, §1.19.
 *
 * What is deliberately NOT defaulted here:
 * - values the API server *allocates* (Service clusterIP/clusterIPs/ipFamilies/nodePorts,
 *   a Job's generated selector and controller-uid labels): they are not in any manifest,
 *   Helm's three-way merge leaves them alone, and the rules reason about them separately.
 * - gated defaults of alpha features (e.g. StatefulSet `rollingUpdate.maxUnavailable`).
 * - `status` of top-level objects: updates through the main resource ignore it, so it is
 *   dropped. (A StatefulSet claim template's `status` is part of the spec and is kept.)
 *
 * Everything here is pure: the input is never modified, a defaulted deep copy is returned.
 */
import { groupOf, isRecord, type KubeObject } from "../model/object.ts";

type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------
// Public API (stable: other modules import these)
// ---------------------------------------------------------------------------------------

/**
 * The object as the API server will hold it after defaulting: a deep copy of the manifest
 * with the kind's defaults applied, `status` dropped and quantities in canonical form.
 * Kinds without known defaults (CRDs such as Rollout) come back as a plain copy.
 */
export function withDefaults(object: KubeObject): Record<string, unknown> {
  return defaultedManifest(object.raw, object.ref.apiVersion, object.ref.kind);
}

/** Like {@link withDefaults}, for a raw manifest. */
export function defaultedManifest(raw: unknown, apiVersion: string, kind: string): Record<string, unknown> {
  const out = isRecord(raw) ? (clone(raw) as Obj) : {};
  delete out.status;
  const defaulter = DEFAULTERS[`${apiVersion}/${kind}`] ?? DEFAULTERS[`${groupOf(apiVersion)}/*/${kind}`];
  defaulter?.(out);
  return out;
}

/** A pod template (`{metadata, spec}`) with pod-spec defaults applied; a copy. */
export function defaultedPodTemplate(template: unknown): Record<string, unknown> {
  const out = isRecord(template) ? (clone(template) as Obj) : {};
  applyPodTemplateDefaults(out);
  return out;
}

/**
 * A pod spec with defaults applied; a copy. `bare: true` adds the defaults that
 * `SetDefaults_Pod` applies to Pod objects only (not to templates): `enableServiceLinks`
 * and resource requests copied from limits.
 */
export function defaultedPodSpec(spec: unknown, options: { bare?: boolean } = {}): Record<string, unknown> {
  const out = isRecord(spec) ? (clone(spec) as Obj) : {};
  applyPodSpecDefaults(out, options.bare ?? false);
  return out;
}

/**
 * A StatefulSet `volumeClaimTemplates` entry as stored: TypeMeta dropped (the API server
 * does not keep apiVersion/kind of embedded objects), PVC spec defaults applied,
 * `status.phase: Pending` (SetDefaults_PersistentVolumeClaim); a copy.
 */
export function defaultedClaimTemplate(claim: unknown): Record<string, unknown> {
  const out = isRecord(claim) ? (clone(claim) as Obj) : {};
  delete out.apiVersion;
  delete out.kind;
  applyPvcSpecDefaults(ensureObj(out, "spec"));
  const status = ensureObj(out, "status");
  setDefault(status, "phase", "Pending", true);
  return out;
}

/** A PersistentVolumeClaim spec with defaults applied; a copy. */
export function defaultedPvcSpec(spec: unknown): Record<string, unknown> {
  const out = isRecord(spec) ? (clone(spec) as Obj) : {};
  applyPvcSpecDefaults(out);
  return out;
}

// ---------------------------------------------------------------------------------------
// Quantities (resource.Quantity, §1.19): "1024Mi" and "1Gi" are the same stored value
// ---------------------------------------------------------------------------------------

export interface Quantity {
  /** value = mantissa × 10^exp10 × 2^exp2 (exact). */
  mantissa: bigint;
  exp10: number;
  exp2: number;
  format: "BinarySI" | "DecimalSI" | "DecimalExponent";
}

const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX = new Map(Object.entries(DECIMAL).map(([suffix, exp]) => [exp, suffix]));

/** Parses a Kubernetes quantity (string or YAML number); undefined when it is not one. */
export function parseQuantity(value: unknown): Quantity | undefined {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
    if (/e/i.test(text)) text = value.toFixed(9).replace(/\.?0+$/, "");
  } else if (typeof value === "string") {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign, number, suffix = ""] = match;
  const [whole = "", fraction = ""] = number!.split(".");
  let mantissa = BigInt((whole || "0") + fraction);
  if (sign === "-") mantissa = -mantissa;
  let exp10 = -fraction.length;
  let exp2 = 0;
  let format: Quantity["format"] = "DecimalSI";
  if (suffix in BINARY) {
    exp2 = BINARY[suffix]!;
    format = "BinarySI";
  } else if (suffix in DECIMAL) {
    exp10 += DECIMAL[suffix]!;
  } else {
    exp10 += Number(suffix.slice(1));
    format = "DecimalExponent";
  }
  return { mantissa, exp10, exp2, format };
}

/** The value in nano-units (10^-9), rounded up as the API server rounds (it keeps nano precision). */
function nanos(q: Quantity): bigint {
  let value = q.mantissa * 2n ** BigInt(q.exp2);
  const shift = q.exp10 + 9;
  if (shift >= 0) return value * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  const rounded = value / divisor;
  value = rounded * divisor === value || value < 0n ? rounded : rounded + 1n;
  return value;
}

/** -1, 0 or 1; undefined when either side is not a quantity. */
export function compareQuantities(a: unknown, b: unknown): number | undefined {
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  if (!qa || !qb) return undefined;
  const na = nanos(qa);
  const nb = nanos(qb);
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * The canonical string the API server stores for a quantity (`Quantity.String()`:
 * "1024Mi" → "1Gi", "0.5" → "500m", "1000" → "1k"); non-quantities are returned unchanged.
 */
export function canonicalQuantity(value: unknown): unknown {
  const q = parseQuantity(value);
  if (!q) return value;
  const n = nanos(q);
  if (n === 0n) return "0";
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const sign = negative ? "-" : "";
  if (q.format === "BinarySI" && abs >= 1024n * 1_000_000_000n && abs % 1_000_000_000n === 0n) {
    let whole = abs / 1_000_000_000n;
    let exp = 0;
    while (exp < 60 && whole % 1024n === 0n) {
      whole /= 1024n;
      exp += 10;
    }
    const suffix = Object.entries(BINARY).find(([, e]) => e === exp)?.[0] ?? "";
    return `${sign}${whole}${suffix}`;
  }
  // DecimalSI / DecimalExponent: the smallest exponent that is a multiple of 3 and keeps an integer mantissa.
  let mantissa = abs;
  let exp = -9;
  while (exp < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exp += 3;
  }
  if (q.format === "DecimalExponent") return `${sign}${mantissa}${exp === 0 ? "" : `e${exp}`}`;
  return `${sign}${mantissa}${DECIMAL_SUFFIX.get(exp) ?? ""}`;
}

// ---------------------------------------------------------------------------------------
// Defaulting tables
// ---------------------------------------------------------------------------------------

/** `apiVersion/kind` (or `group/ * /kind` for every version of a group) → defaulter (§1.19). */
const DEFAULTERS: Record<string, (object: Obj) => void> = {
  "apps/v1/Deployment": (o) => deploymentDefaults(o),
  "apps/v1beta2/Deployment": (o) => deploymentDefaults(o),
  "apps/v1/ReplicaSet": (o) => replicaSetDefaults(o),
  "apps/v1beta2/ReplicaSet": (o) => replicaSetDefaults(o),
  "apps/v1/DaemonSet": (o) => daemonSetDefaults(o),
  "apps/v1beta2/DaemonSet": (o) => daemonSetDefaults(o),
  "apps/v1/StatefulSet": (o) => statefulSetDefaults(o),
  "apps/v1beta2/StatefulSet": (o) => statefulSetDefaults(o),
  // Legacy versions (extensions/v1beta1, apps/v1beta1) had other workload defaults; only the
  // pod template defaults, which are the same in every version, are applied to them.
  "extensions/*/Deployment": (o) => podTemplateAt(o, ["spec", "template"]),
  "extensions/*/DaemonSet": (o) => podTemplateAt(o, ["spec", "template"]),
  "extensions/*/ReplicaSet": (o) => podTemplateAt(o, ["spec", "template"]),
  "apps/v1beta1/Deployment": (o) => podTemplateAt(o, ["spec", "template"]),
  "apps/v1beta1/StatefulSet": (o) => podTemplateAt(o, ["spec", "template"]),
  "batch/v1/Job": (o) => jobDefaults(o),
  "batch/v1/CronJob": (o) => cronJobDefaults(o),
  "batch/v1beta1/CronJob": (o) => cronJobDefaults(o),
  "v1/Pod": (o) => applyPodSpecDefaults(ensureObj(o, "spec"), true),
  "v1/PodTemplate": (o) => podTemplateAt(o, ["template"]),
  "v1/ReplicationController": (o) => replicationControllerDefaults(o),
  "v1/Service": (o) => serviceDefaults(o),
  "v1/PersistentVolumeClaim": (o) => applyPvcSpecDefaults(ensureObj(o, "spec")),
  "v1/PersistentVolume": (o) => persistentVolumeDefaults(o),
  "v1/Secret": (o) => setDefault(o, "type", "Opaque", true), // SetDefaults_Secret, §1.19
  "storage.k8s.io/*/StorageClass": (o) => {
    // SetDefaults_StorageClass, §1.19
    setDefault(o, "reclaimPolicy", "Delete", true);
    setDefault(o, "volumeBindingMode", "Immediate", true);
  },
};

/** SetDefaults_Deployment (apps/v1), §1.19; rollingUpdate 25%/25% is also §1.2. */
function deploymentDefaults(o: Obj): void {
  const spec = ensureObj(o, "spec");
  setDefault(spec, "replicas", 1);
  const strategy = ensureObj(spec, "strategy");
  setDefault(strategy, "type", "RollingUpdate", true);
  if (strategy.type === "RollingUpdate") {
    const rolling = ensureObj(strategy, "rollingUpdate");
    setDefault(rolling, "maxUnavailable", "25%");
    setDefault(rolling, "maxSurge", "25%");
  }
  setDefault(spec, "revisionHistoryLimit", 10);
  setDefault(spec, "progressDeadlineSeconds", 600);
  podTemplateAt(o, ["spec", "template"]);
}

/** SetDefaults_ReplicaSet (apps/v1), §1.19. */
function replicaSetDefaults(o: Obj): void {
  setDefault(ensureObj(o, "spec"), "replicas", 1);
  podTemplateAt(o, ["spec", "template"]);
}

/** SetDefaults_DaemonSet (apps/v1), §1.19: RollingUpdate, maxUnavailable 1, maxSurge 0, history 10. */
function daemonSetDefaults(o: Obj): void {
  const spec = ensureObj(o, "spec");
  const strategy = ensureObj(spec, "updateStrategy");
  setDefault(strategy, "type", "RollingUpdate", true);
  if (strategy.type === "RollingUpdate") {
    const rolling = ensureObj(strategy, "rollingUpdate");
    setDefault(rolling, "maxUnavailable", 1);
    setDefault(rolling, "maxSurge", 0);
  }
  setDefault(spec, "revisionHistoryLimit", 10);
  podTemplateAt(o, ["spec", "template"]);
}

/**
 * SetDefaults_StatefulSet (apps/v1), §1.19. §1.5 analyzer notes: podManagementPolicy
 * OrderedReady, revisionHistoryLimit 10, updateStrategy RollingUpdate / partition 0,
 * claim template defaults. persistentVolumeClaimRetentionPolicy Retain/Retain is the
 * default once the StatefulSetAutoDeletePVC gate is on (beta/on 1.27, doc §1.5).
 */
function statefulSetDefaults(o: Obj): void {
  const spec = ensureObj(o, "spec");
  setDefault(spec, "replicas", 1);
  setDefault(spec, "podManagementPolicy", "OrderedReady", true);
  const strategy = ensureObj(spec, "updateStrategy");
  setDefault(strategy, "type", "RollingUpdate", true);
  if (strategy.type === "RollingUpdate") setDefault(ensureObj(strategy, "rollingUpdate"), "partition", 0);
  setDefault(spec, "revisionHistoryLimit", 10);
  const retention = ensureObj(spec, "persistentVolumeClaimRetentionPolicy");
  setDefault(retention, "whenDeleted", "Retain", true);
  setDefault(retention, "whenScaled", "Retain", true);
  if (Array.isArray(spec.volumeClaimTemplates)) {
    spec.volumeClaimTemplates = spec.volumeClaimTemplates.map((claim) => (isRecord(claim) ? defaultedClaimTemplate(claim) : claim));
  }
  podTemplateAt(o, ["spec", "template"]);
}

/**
 * SetDefaults_Job (batch/v1), §1.19: completions and parallelism 1 when both are unset,
 * parallelism 1, backoffLimit 6 (MaxInt32 with backoffLimitPerIndex), completionMode
 * NonIndexed, suspend false, manualSelector false; podReplacementPolicy
 * TerminatingOrFailed (Failed with a podFailurePolicy; gate JobPodReplacementPolicy,
 * beta/on 1.29). Metadata labels default to the template labels.
 */
function jobDefaults(o: Obj): void {
  const spec = ensureObj(o, "spec");
  if (isUnset(spec.completions) && isUnset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, "parallelism", 1);
  setDefault(spec, "backoffLimit", isUnset(spec.backoffLimitPerIndex) ? 6 : 2147483647);
  setDefault(spec, "completionMode", "NonIndexed", true);
  setDefault(spec, "suspend", false);
  setDefault(spec, "manualSelector", false);
  setDefault(spec, "podReplacementPolicy", isUnset(spec.podFailurePolicy) ? "TerminatingOrFailed" : "Failed", true);
  podTemplateAt(o, ["spec", "template"]);
}

/** SetDefaults_CronJob (batch/v1), §1.19: Allow, not suspended, history 3 / 1; the job template gets pod defaults only. */
function cronJobDefaults(o: Obj): void {
  const spec = ensureObj(o, "spec");
  setDefault(spec, "concurrencyPolicy", "Allow", true);
  setDefault(spec, "suspend", false);
  setDefault(spec, "successfulJobsHistoryLimit", 3);
  setDefault(spec, "failedJobsHistoryLimit", 1);
  podTemplateAt(o, ["spec", "jobTemplate", "spec", "template"]);
}

/** SetDefaults_ReplicationController (v1), §1.19: replicas 1; selector and labels from the template labels. */
function replicationControllerDefaults(o: Obj): void {
  const spec = ensureObj(o, "spec");
  setDefault(spec, "replicas", 1);
  const templateLabels = isRecord(spec.template) && isRecord(spec.template.metadata) ? spec.template.metadata.labels : undefined;
  if (isRecord(templateLabels) && isUnsetOrEmpty(spec.selector)) spec.selector = clone(templateLabels);
  podTemplateAt(o, ["spec", "template"]);
}

/**
 * SetDefaults_Service (v1), §1.19: type ClusterIP, sessionAffinity None (ClientIP timeout 10800),
 * port protocol TCP, targetPort = port, externalTrafficPolicy Cluster for NodePort and
 * LoadBalancer, internalTrafficPolicy Cluster unless ExternalName,
 * allocateLoadBalancerNodePorts true for LoadBalancer. Allocated values (clusterIP,
 * nodePorts, ipFamilies) are left alone (see the header).
 */
function serviceDefaults(o: Obj): void {
  const spec = ensureObj(o, "spec");
  setDefault(spec, "type", "ClusterIP", true);
  setDefault(spec, "sessionAffinity", "None", true);
  if (spec.sessionAffinity === "ClientIP") {
    setDefault(ensureObj(ensureObj(spec, "sessionAffinityConfig"), "clientIP"), "timeoutSeconds", 10800);
  }
  if (Array.isArray(spec.ports)) {
    for (const port of spec.ports) {
      if (!isRecord(port)) continue;
      setDefault(port, "protocol", "TCP", true);
      if (isUnset(port.targetPort) || port.targetPort === 0 || port.targetPort === "") port.targetPort = port.port;
    }
  }
  if (spec.type === "NodePort" || spec.type === "LoadBalancer") setDefault(spec, "externalTrafficPolicy", "Cluster", true);
  if (spec.type !== "ExternalName") setDefault(spec, "internalTrafficPolicy", "Cluster", true);
  if (spec.type === "LoadBalancer") setDefault(spec, "allocateLoadBalancerNodePorts", true);
}

/** SetDefaults_PersistentVolume (v1), §1.19: reclaim policy Retain, volumeMode Filesystem. */
function persistentVolumeDefaults(o: Obj): void {
  const spec = ensureObj(o, "spec");
  setDefault(spec, "persistentVolumeReclaimPolicy", "Retain", true);
  setDefault(spec, "volumeMode", "Filesystem", true);
  canonicalQuantities(spec.capacity);
  const hostPath = spec.hostPath;
  if (isRecord(hostPath)) setDefault(hostPath, "type", "", false);
}

/** SetDefaults_PersistentVolumeClaimSpec (v1), §1.19: volumeMode Filesystem; quantities canonical. */
function applyPvcSpecDefaults(spec: Obj): void {
  setDefault(spec, "volumeMode", "Filesystem", true);
  if (isRecord(spec.resources)) {
    canonicalQuantities(spec.resources.requests);
    canonicalQuantities(spec.resources.limits);
  }
}

function podTemplateAt(o: Obj, path: readonly string[]): void {
  let current: unknown = o;
  for (const key of path) {
    if (!isRecord(current)) return;
    current = current[key];
  }
  if (isRecord(current)) applyPodTemplateDefaults(current);
}

function applyPodTemplateDefaults(template: Obj): void {
  if (isRecord(template.spec)) applyPodSpecDefaults(template.spec, false);
}

/**
 * SetDefaults_PodSpec (v1), §1.19: dnsPolicy ClusterFirst, restartPolicy Always,
 * terminationGracePeriodSeconds 30, schedulerName default-scheduler; the deprecated
 * `serviceAccount` mirrors `serviceAccountName` (v1 conversion). SetDefaults_Pod (bare
 * pods only): enableServiceLinks true, requests default to limits.
 */
function applyPodSpecDefaults(spec: Obj, bare: boolean): void {
  setDefault(spec, "dnsPolicy", "ClusterFirst", true);
  setDefault(spec, "restartPolicy", "Always", true);
  setDefault(spec, "terminationGracePeriodSeconds", 30);
  setDefault(spec, "schedulerName", "default-scheduler", true);
  if (typeof spec.serviceAccount === "string" && spec.serviceAccount !== "" && isUnsetOrEmptyString(spec.serviceAccountName)) {
    spec.serviceAccountName = spec.serviceAccount;
  }
  if (typeof spec.serviceAccountName === "string" && spec.serviceAccountName !== "") spec.serviceAccount = spec.serviceAccountName;
  if (bare) setDefault(spec, "enableServiceLinks", true);
  for (const list of ["containers", "initContainers", "ephemeralContainers"]) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) if (isRecord(container)) applyContainerDefaults(container, bare);
  }
  if (Array.isArray(spec.volumes)) for (const volume of spec.volumes) if (isRecord(volume)) applyVolumeDefaults(volume);
  canonicalQuantities(spec.overhead);
  if (isRecord(spec.resources)) {
    canonicalQuantities(spec.resources.requests);
    canonicalQuantities(spec.resources.limits);
  }
}

/**
 * SetDefaults_Container (v1), §1.19: imagePullPolicy (Always for `:latest` or an untagged image
 * without digest, else IfNotPresent), terminationMessagePath /dev/termination-log,
 * terminationMessagePolicy File; ports TCP; probe and handler defaults;
 * fieldRef apiVersion v1.
 */
function applyContainerDefaults(container: Obj, bare: boolean): void {
  if (typeof container.image === "string") setDefault(container, "imagePullPolicy", defaultPullPolicy(container.image), true);
  setDefault(container, "terminationMessagePath", "/dev/termination-log", true);
  setDefault(container, "terminationMessagePolicy", "File", true);
  if (Array.isArray(container.ports)) for (const port of container.ports) if (isRecord(port)) setDefault(port, "protocol", "TCP", true);
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const value = container[probe];
    if (!isRecord(value)) continue;
    // SetDefaults_Probe
    setDefault(value, "timeoutSeconds", 1);
    setDefault(value, "periodSeconds", 10);
    setDefault(value, "successThreshold", 1);
    setDefault(value, "failureThreshold", 3);
    applyHandlerDefaults(value);
  }
  if (isRecord(container.lifecycle)) {
    for (const hook of ["postStart", "preStop"]) if (isRecord(container.lifecycle[hook])) applyHandlerDefaults(container.lifecycle[hook]);
  }
  if (Array.isArray(container.env)) {
    for (const env of container.env) if (isRecord(env) && isRecord(env.valueFrom)) applySelectorDefaults(env.valueFrom);
  }
  if (isRecord(container.resources)) {
    const { resources } = container;
    canonicalQuantities(resources.requests);
    canonicalQuantities(resources.limits);
    if (bare && isRecord(resources.limits)) {
      // SetDefaults_Pod: "If limits are specified, but requests are not, default requests to limits" (Pods only).
      const requests = ensureObj(resources, "requests");
      for (const [name, limit] of Object.entries(resources.limits)) if (isUnset(requests[name])) requests[name] = limit;
    }
  }
}

/** SetDefaults_HTTPGetAction (v1), §1.19: path "/", scheme HTTP. */
function applyHandlerDefaults(handler: Obj): void {
  if (isRecord(handler.httpGet)) {
    setDefault(handler.httpGet, "path", "/", true);
    setDefault(handler.httpGet, "scheme", "HTTP", true);
  }
}

/** SetDefaults_ObjectFieldSelector (v1), §1.19: apiVersion v1; a resourceFieldRef divisor reads back as "0" when unset. */
function applySelectorDefaults(source: Obj): void {
  if (isRecord(source.fieldRef)) setDefault(source.fieldRef, "apiVersion", "v1", true);
  if (isRecord(source.resourceFieldRef)) {
    setDefault(source.resourceFieldRef, "divisor", "0");
    source.resourceFieldRef.divisor = canonicalQuantity(source.resourceFieldRef.divisor);
  }
}

/**
 * SetDefaults_{Secret,ConfigMap,DownwardAPI,Projected}VolumeSource (v1), §1.19: defaultMode 0644
 * (420); projected serviceAccountToken expirationSeconds 3600; hostPath type "";
 * emptyDir sizeLimit canonical; ephemeral claim templates get PVC defaults.
 */
function applyVolumeDefaults(volume: Obj): void {
  for (const source of ["secret", "configMap", "downwardAPI", "projected"]) {
    if (isRecord(volume[source])) setDefault(volume[source], "defaultMode", 420);
  }
  if (isRecord(volume.downwardAPI) && Array.isArray(volume.downwardAPI.items)) {
    for (const item of volume.downwardAPI.items) if (isRecord(item)) applySelectorDefaults(item);
  }
  if (isRecord(volume.projected) && Array.isArray(volume.projected.sources)) {
    for (const source of volume.projected.sources) {
      if (!isRecord(source)) continue;
      if (isRecord(source.serviceAccountToken)) setDefault(source.serviceAccountToken, "expirationSeconds", 3600);
      if (isRecord(source.downwardAPI) && Array.isArray(source.downwardAPI.items)) {
        for (const item of source.downwardAPI.items) if (isRecord(item)) applySelectorDefaults(item);
      }
    }
  }
  if (isRecord(volume.hostPath)) setDefault(volume.hostPath, "type", "", false);
  if (isRecord(volume.emptyDir) && !isUnset(volume.emptyDir.sizeLimit)) volume.emptyDir.sizeLimit = canonicalQuantity(volume.emptyDir.sizeLimit);
  const claim = isRecord(volume.ephemeral) ? volume.ephemeral.volumeClaimTemplate : undefined;
  if (isRecord(claim) && isRecord(claim.spec)) applyPvcSpecDefaults(claim.spec);
}

/** SetDefaults_Container's image pull policy (§1.19) (parsers.ParseImageName: no tag and no digest means `latest`). */
export function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  if (image.includes("@")) return "IfNotPresent";
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  const tag = colon < 0 ? "latest" : lastSegment.slice(colon + 1);
  return tag === "latest" ? "Always" : "IfNotPresent";
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

function isUnset(value: unknown): boolean {
  return value === undefined || value === null;
}

function isUnsetOrEmptyString(value: unknown): boolean {
  return isUnset(value) || value === "";
}

function isUnsetOrEmpty(value: unknown): boolean {
  return isUnset(value) || (isRecord(value) && Object.keys(value).length === 0);
}

/**
 * Sets `key` when it is absent or null (a null decodes to the Go zero value, which the
 * defaulters treat as unset); `emptyString` also replaces "" (string enums are defaulted
 * on `== ""`).
 */
function setDefault(o: Obj, key: string, value: unknown, emptyString = false): void {
  if (isUnset(o[key]) || (emptyString && o[key] === "")) o[key] = value;
}

/** The map at `key`, created when absent or not a map. */
function ensureObj(o: Obj, key: string): Obj {
  const value = o[key];
  if (isRecord(value)) return value;
  const created: Obj = {};
  o[key] = created;
  return created;
}

function canonicalQuantities(map: unknown): void {
  if (!isRecord(map)) return;
  for (const [name, value] of Object.entries(map)) map[name] = canonicalQuantity(value);
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isRecord(value)) {
    const out: Obj = {};
    for (const [key, child] of Object.entries(value)) out[key] = clone(child);
    return out;
  }
  return value;
}

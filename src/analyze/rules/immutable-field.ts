/**
 * `immutable-field`: an object that `helm upgrade` patches in place changes a field the
 * API server refuses to change (k8s-rules.md §1, checklist §8 items 1–10). The table of
 * what is immutable, per kind and version, is src/analyze/upgrade/immutability.ts; this
 * file holds the comparison logic and the messages. Objects are compared after API-server
 * defaulting (src/analyze/upgrade/defaults.ts), so writing out a default is no change.
 *
 * Only updated (non-hook) pairs are checked: hooks are deleted and created again, renamed
 * objects are a create plus a delete (plan.ts, §3.3).
 */
import type { FieldPath } from "../../load/yaml.ts";
import { formatPath, getPath, isRecord, type KubeObject } from "../../model/object.ts";
import { compileLabelSelector, describeSelector, matches, type Selector } from "../../model/selector.ts";
import { workloadOf } from "../../model/workloads.ts";
import type { Remedy, Severity } from "../finding.ts";
import { releaseOf } from "../release.ts";
import { sh } from "../shell.ts";
import { type FindingInput, type Rule, manifest, ruleHelpUri } from "../rule.ts";
import { compareQuantities, defaultedManifest, defaultedPodSpec, defaultedPodTemplate, defaultedPvcSpec } from "../upgrade/defaults.ts";
import { diff, normalize, sameValue } from "../upgrade/diff.ts";
import {
  apiInvalid,
  fieldError,
  helmUpgradeError,
  IMMUTABLE_WHEN_SET_DETAIL,
  POD_UPDATE_FORBIDDEN_DETAIL,
  pvcSpecForbiddenDetail,
  pvcStorageDecreaseDetail,
  renderApiValue,
  statefulSetForbiddenDetail,
  validationSource,
} from "../../k8s/api-errors.ts";
import {
  immutableFieldsFor,
  JOB_ELASTIC_INDEXED,
  JOB_SUSPENDED_MUTABLE_TEMPLATE,
  PV_NON_SOURCE_FIELDS,
  PVC_VOLUME_ATTRIBUTES_CLASS_MUTABLE,
  SERVICE_KEEPS_ALLOCATED_VALUES,
  statefulSetAbsentFields,
  statefulSetMutableFields,
} from "../../k8s/update-rules.ts";
import { gateApplies, versionAtLeast } from "../../k8s/versions.ts";
import type { UpdatePair } from "../upgrade/plan.ts";

/** One refused (or silently ignored) change. */
interface Problem {
  /** Field path in the object (the finding's path; its line is looked up in the `to` file). */
  path: FieldPath;
  /** The API server's field error, e.g. `spec.selector: Invalid value: {...}: field is immutable`; undefined when the update is accepted but does not do what the chart says. */
  fieldError?: string;
  /** The field named in the message when `path` is an ancestor (the field is gone from the new manifest). */
  label?: string;
  /** Effective values (after defaults) on each side. */
  before: unknown;
  after: unknown;
  /** Why the API refuses it, with the k8s-rules.md section. */
  why: string;
  severity?: Severity;
}

interface Checked {
  problems: Problem[];
  remedy: (problems: readonly Problem[]) => Remedy;
}

export const immutableField: Rule = {
  meta: {
    id: "immutable-field",
    severity: "error",
    summary: "An upgrade changes a field that Kubernetes does not allow to change on an existing object.",
    why: "The API server rejects the patch (`field is immutable`, `Forbidden: updates to statefulset spec ...`), so `helm upgrade` fails with `UPGRADE FAILED: cannot patch ...` and the release is left half-applied. Typical causes: chart or app versions and user labels in workload selectors or StatefulSet claim templates, plain Jobs whose template changes, a Service switched to or from headless.",
    fix: "Keep immutable fields identical across chart versions (selectors from a small stable selector-labels helper; no version labels in claim templates or plain Job templates). If the change is intended, migrate the deployed release with the commands in the finding.",
    migration:
      "Each finding carries the commands for its field. For a workload selector: `kubectl delete <kind> <name> -n <namespace> --cascade=orphan`, then `helm upgrade` (the pods keep running and are adopted); for a plain Job: delete it, then upgrade; for a Service or another immutable object: delete and recreate it, accepting the short outage.",
    incident:
      "zitadel/zitadel-charts #389: upgrading from chart 9.1.0 to 9.1.1 failed with `cannot patch \"zitadel-login\" with kind Deployment: ... spec.selector: Invalid value: ...: field is immutable` and was rolled back; argoproj/argo-cd #12439 is the same failure for a DaemonSet selector under Argo CD, and fluxcd/helm-controller #1559 shows Flux retrying such an upgrade forever.",
    example: {
      upgradeFrom: manifest`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: web
          template:
            metadata:
              labels:
                app.kubernetes.io/name: web
            spec:
              containers:
                - name: web
                  image: example/web:2.0.0
      `,
      bad: manifest`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: web
              team: payments
          template:
            metadata:
              labels:
                app.kubernetes.io/name: web
                team: payments
            spec:
              containers:
                - name: web
                  image: example/web:2.1.0
      `,
      good: manifest`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: web
          template:
            metadata:
              labels:
                app.kubernetes.io/name: web
                team: payments
            spec:
              containers:
                - name: web
                  image: example/web:2.1.0
      `,
    },
    helpUri: ruleHelpUri("immutable-field"),
  },
  check(context, report) {
    const upgrade = context.upgrade;
    if (!upgrade) return;
    const version = context.settings.kubeVersion;
    for (const pair of upgrade.plan.updated) {
      const checked = checkPair(pair, version);
      if (!checked || checked.problems.length === 0) continue;
      const remedy = checked.remedy(checked.problems);
      for (const problem of checked.problems) report(toFinding(pair, problem, remedy, version));
    }
  },
};

function checkPair(pair: UpdatePair, version: string): Checked | undefined {
  const { group, ref } = pair.after;
  if (pair.before.group !== group || pair.before.ref.kind !== ref.kind) return undefined;
  switch (ref.kind) {
    case "Deployment":
    case "ReplicaSet":
    case "DaemonSet":
      return group === "apps" || group === "extensions" ? workloadSelector(pair, version) : undefined;
    case "StatefulSet":
      return group === "apps" ? statefulSet(pair, version) : undefined;
    case "Job":
      return group === "batch" ? job(pair, version) : undefined;
    case "Service":
      return group === "" ? service(pair, version) : undefined;
    case "PersistentVolumeClaim":
      return group === "" ? pvc(pair, version) : undefined;
    case "PersistentVolume":
      return group === "" ? pv(pair, version) : undefined;
    case "Secret":
    case "ConfigMap":
      return group === "" ? secretOrConfigMap(pair, version) : undefined;
    case "Pod":
      return group === "" ? pod(pair) : undefined;
    case "RoleBinding":
    case "ClusterRoleBinding":
    case "StorageClass":
    case "IngressClass":
      return tableOnly(pair, version);
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Kinds
// ---------------------------------------------------------------------------------------

/** §1.2–1.4: Deployment / ReplicaSet / DaemonSet spec.selector, unless served through a legacy version. */
function workloadSelector(pair: UpdatePair, version: string): Checked | undefined {
  const workload = workloadOf(pair.after);
  if (!workload?.selectorImmutable) return undefined;
  const entry = immutableFieldsFor("apps", pair.after.ref.kind)[0]!;
  const before = getPath(pair.before.raw, entry.path);
  const after = getPath(pair.after.raw, entry.path);
  if (sameSelector(before, after)) return { problems: [], remedy: noRemedy };
  const rendered = renderApiValue(selectorForApi(after), version, "labelSelector");
  return {
    problems: [
      {
        path: entry.path,
        fieldError: fieldError(entry.errorPath, entry.errorType, entry.detail, rendered),
        before: selectorForApi(before),
        after: selectorForApi(after),
        why: `${cap(entry.why)} (${validationSource(entry.group)}).`,
      },
    ],
    remedy: () => workloadSelectorRemedy(pair),
  };
}

/** §1.5: everything in spec outside the version's allow-list, compared after defaults, one finding per changed leaf. */
function statefulSet(pair: UpdatePair, version: string): Checked {
  const strip = (object: KubeObject) => {
    const spec = defaultedManifest(object.raw, object.ref.apiVersion, object.ref.kind).spec;
    const out = isRecord(spec) ? { ...spec } : {};
    for (const field of [...statefulSetMutableFields(version), ...statefulSetAbsentFields(version)]) delete out[field];
    return out;
  };
  const detail = statefulSetForbiddenDetail(version);
  const rhlNote = versionAtLeast(version, "1.35")
    ? ""
    : " (revisionHistoryLimit is believed to be mutable from 1.35; the exact release is unconfirmed)";
  const problems = diff(strip(pair.before), strip(pair.after), ["spec"]).map(
    (d): Problem => ({
      path: d.path,
      fieldError: fieldError("spec", "Forbidden", detail),
      before: d.before,
      after: d.after,
      why:
        d.path[1] === "volumeClaimTemplates"
          ? `A StatefulSet's volumeClaimTemplates are immutable, byte for byte, labels and annotations included (${validationSource("apps")}); the claims they created are not updated either.`
          : `Only ${statefulSetMutableFields(version).join(", ")} of a StatefulSet spec may change on Kubernetes ${version}${d.path[1] === "revisionHistoryLimit" ? rhlNote : ""} (${validationSource("apps")}).`,
    }),
  );
  return { problems, remedy: (p) => statefulSetRemedy(pair, p) };
}

/** §1.6: non-hook Job (hooks never reach here: plan.ts puts them in plan.hooks). */
function job(pair: UpdatePair, version: string): Checked {
  const before = defaultedManifest(pair.before.raw, pair.before.ref.apiVersion, "Job");
  const after = defaultedManifest(pair.after.raw, pair.after.ref.apiVersion, "Job");
  const problems: Problem[] = [];
  for (const entry of immutableFieldsFor("batch", "Job")) {
    const b = getPath(before, entry.path);
    const a = getPath(after, entry.path);
    if (sameValue(b, a)) continue;
    problems.push({
      path: entry.path,
      fieldError: fieldError(entry.errorPath, entry.errorType, entry.detail, renderApiValue(normalize(a), version)),
      before: b,
      after: a,
      why: `${cap(entry.why)} (${validationSource(entry.group)}).`,
    });
  }

  // completions: immutable, except Indexed Jobs changing it in tandem with parallelism (≥1.27).
  const bc = getPath(before, ["spec", "completions"]);
  const ac = getPath(after, ["spec", "completions"]);
  if (!sameValue(bc, ac)) {
    const indexed = getPath(after, ["spec", "completionMode"]) === "Indexed";
    const elastic = indexed && gateApplies(JOB_ELASTIC_INDEXED, version);
    const ap = getPath(after, ["spec", "parallelism"]);
    if (!elastic || (ac !== undefined && ac !== null && ac !== ap)) {
      problems.push({
        path: ["spec", "completions"],
        fieldError: fieldError(
          "spec.completions",
          "Invalid value",
          elastic ? "can only be modified in tandem with spec.parallelism" : "field is immutable",
          renderApiValue(ac, version),
        ),
        before: bc,
        after: ac,
        why: elastic
          ? `An Indexed Job may change completions only together with parallelism, so that completions == parallelism (ElasticIndexedJob, ${validationSource("batch")}).`
          : `A Job's completions are fixed at creation (only Indexed Jobs may change them, in tandem with parallelism, from 1.27; ${validationSource("batch")}).`,
      });
    }
  }

  // template: any change, unless the stored Job is suspended (and has never started).
  const templatePath = ["spec", "template"];
  const suspended = getPath(pair.before.raw, ["spec", "suspend"]) === true && gateApplies(JOB_SUSPENDED_MUTABLE_TEMPLATE.gate, version);
  const changes = diff(
    defaultedPodTemplate(getPath(pair.before.raw, templatePath)),
    defaultedPodTemplate(getPath(pair.after.raw, templatePath)),
    templatePath,
  ).filter((d) => !(suspended && JOB_SUSPENDED_MUTABLE_TEMPLATE.paths.some((p) => startsWith(d.path.slice(2), p))));
  // A suspended Job that never started may change scheduling fields and template metadata;
  // that it never started cannot be seen in a manifest — assumed (k8s-rules.md §1.6).
  for (const change of changes) {
    problems.push({
      path: change.path,
      fieldError: fieldError("spec.template", "Invalid value", "field is immutable", "<the whole new pod template>"),
      before: change.before,
      after: change.after,
      why: `A Job's pod template cannot change after creation, labels, annotations and image included (${validationSource("batch")}); plain (non-hook) Jobs with a stable name therefore fail every upgrade that touches their template.`,
    });
  }
  return { problems, remedy: () => jobRemedy(pair) };
}

/** §1.8: clusterIP / clusterIPs, ipFamilies[0], loadBalancerClass, healthCheckNodePort. */
function service(pair: UpdatePair, version: string): Checked | undefined {
  const before = defaultedManifest(pair.before.raw, "v1", "Service");
  const after = defaultedManifest(pair.after.raw, "v1", "Service");
  const bType = getPath(before, ["spec", "type"]);
  const aType = getPath(after, ["spec", "type"]);
  // §1.8: all clusterIP checks are skipped when the old or new type is ExternalName.
  if (bType === "ExternalName" || aType === "ExternalName") return undefined;
  const problems: Problem[] = [];
  const bIP = primaryClusterIP(pair.before.raw);
  const aIP = primaryClusterIP(pair.after.raw);
  const bHeadless = bIP === "None";
  const aHeadless = aIP === "None";
  const clusterIPsValue = (raw: Record<string, unknown>, ip: string) => {
    const list = getPath(raw, ["spec", "clusterIPs"]);
    return renderApiValue(Array.isArray(list) && list.length > 0 ? list : [ip], version);
  };
  const ipPath = (raw: Record<string, unknown>): FieldPath =>
    getPath(raw, ["spec", "clusterIP"]) === undefined && getPath(raw, ["spec", "clusterIPs"]) !== undefined ? ["spec", "clusterIPs"] : ["spec", "clusterIP"];
  if (!(bHeadless && aHeadless)) {
    if (bIP !== undefined && aIP !== undefined && bIP !== aIP) {
      problems.push({
        path: ipPath(pair.after.raw),
        fieldError: fieldError("spec.clusterIPs[0]", "Invalid value", "may not change once set", clusterIPsValue(pair.after.raw, aIP)),
        before: bIP,
        after: aIP,
        why: `A Service's primary cluster IP cannot change once set${aHeadless || bHeadless ? "; switching between headless (clusterIP: None) and a cluster IP is such a change" : ""} (${validationSource("")}).`,
      });
    } else if (bIP === undefined && aHeadless) {
      problems.push({
        path: ipPath(pair.after.raw),
        fieldError: fieldError("spec.clusterIPs[0]", "Invalid value", "may not change once set", clusterIPsValue(pair.after.raw, aIP)),
        before: "<allocated IP>",
        after: aIP,
        why: `The Service already has an allocated cluster IP; making it headless (clusterIP: None) changes the primary cluster IP, which cannot change once set (${validationSource("")}).`,
      });
    } else if (bIP === undefined && aIP !== undefined) {
      problems.push({
        path: ipPath(pair.after.raw),
        fieldError: fieldError("spec.clusterIPs[0]", "Invalid value", "may not change once set", clusterIPsValue(pair.after.raw, aIP)),
        before: "<allocated IP>",
        after: aIP,
        severity: "warning",
        why: `The Service was created without an explicit cluster IP, so the cluster allocated one; pinning ${aIP} now fails unless it is exactly the allocated IP, because the primary cluster IP cannot change once set (${validationSource("")}).`,
      });
    } else if (bHeadless && aIP === undefined) {
      problems.push({
        path: ["spec"],
        label: "spec.clusterIP",
        before: "None",
        after: undefined,
        severity: "warning",
        why: "Dropping `clusterIP: None` does not turn a headless Service into a normal one: the API server copies the old value (None) back into the update, so the upgrade succeeds but the Service stays headless (kubernetes/kubernetes #120937).",
      });
    } else if (bIP !== undefined && aIP === undefined && !gateApplies(SERVICE_KEEPS_ALLOCATED_VALUES, version)) {
      problems.push({
        path: ["spec"],
        label: "spec.clusterIP",
        fieldError: fieldError("spec.clusterIP", "Invalid value", "field is immutable", '""'),
        before: bIP,
        after: undefined,
        why: `Removing the explicit clusterIP makes Helm's three-way patch clear it; Kubernetes ${version} does not yet copy allocated values back into an update (that arrived with PR #103532, believed 1.23), so the empty value is refused (${validationSource("")}).`,
      });
    }
    // A secondary cluster IP may be released only with ipFamilyPolicy: SingleStack.
    const bList = getPath(pair.before.raw, ["spec", "clusterIPs"]);
    const aList = getPath(pair.after.raw, ["spec", "clusterIPs"]);
    const aPolicy = getPath(pair.after.raw, ["spec", "ipFamilyPolicy"]);
    if (Array.isArray(bList) && Array.isArray(aList) && bList.length === 2 && aList.length === 1 && aPolicy !== "SingleStack" && !bHeadless && !aHeadless) {
      problems.push({
        path: ["spec", "clusterIPs"],
        fieldError: fieldError("spec.ipFamilyPolicy", "Invalid value", "must be set to 'SingleStack' when releasing the secondary clusterIP", renderApiValue(aPolicy ?? "", version)),
        before: bList,
        after: aList,
        why: `Removing the secondary cluster IP requires \`ipFamilyPolicy: SingleStack\` in the same update (${validationSource("")}).`,
      });
    }
  }
  // ipFamilies[0]: not checked when switching to or from headless.
  const bFamily = getPath(pair.before.raw, ["spec", "ipFamilies", 0]);
  const aFamily = getPath(pair.after.raw, ["spec", "ipFamilies", 0]);
  if (typeof bFamily === "string" && typeof aFamily === "string" && bFamily !== aFamily && !bHeadless && !aHeadless) {
    problems.push({
      path: ["spec", "ipFamilies", 0],
      fieldError: fieldError("spec.ipFamilies[0]", "Invalid value", "may not change once set", renderApiValue(aFamily, version)),
      before: bFamily,
      after: aFamily,
      why: `A Service's primary IP family cannot change once set (${validationSource("")}).`,
    });
  }
  // loadBalancerClass: may not change while the type stays LoadBalancer.
  if (bType === "LoadBalancer" && aType === "LoadBalancer") {
    const bClass = getPath(before, ["spec", "loadBalancerClass"]);
    const aClass = getPath(after, ["spec", "loadBalancerClass"]);
    if (!sameValue(bClass, aClass)) {
      problems.push({
        path: ["spec", "loadBalancerClass"],
        fieldError: fieldError("spec.loadBalancerClass", "Invalid value", "may not change once set", renderApiValue(aClass, version)),
        before: bClass,
        after: aClass,
        why: `A LoadBalancer Service's loadBalancerClass cannot change while it stays of type LoadBalancer (${validationSource("")}).`,
      });
    }
    const local = (o: Record<string, unknown>) => getPath(o, ["spec", "externalTrafficPolicy"]) === "Local";
    const bPort = getPath(before, ["spec", "healthCheckNodePort"]);
    const aPort = getPath(after, ["spec", "healthCheckNodePort"]);
    if (local(before) && local(after) && typeof bPort === "number" && typeof aPort === "number" && bPort !== aPort) {
      problems.push({
        path: ["spec", "healthCheckNodePort"],
        fieldError: fieldError("spec.healthCheckNodePort", "Forbidden", "field is immutable"),
        before: bPort,
        after: aPort,
        why: `healthCheckNodePort cannot change while the Service is LoadBalancer with externalTrafficPolicy: Local (${validationSource("")}).`,
      });
    }
  }
  return { problems, remedy: (p) => serviceRemedy(pair, p) };
}

/** §1.9: any spec change except a storage increase (and volumeAttributesClassName from 1.34). */
function pvc(pair: UpdatePair, version: string): Checked {
  const before = defaultedPvcSpec(getPath(pair.before.raw, ["spec"]));
  const after = defaultedPvcSpec(getPath(pair.after.raw, ["spec"]));
  const problems: Problem[] = [];
  const specError = fieldError("spec", "Forbidden", pvcSpecForbiddenDetail(version));
  const storagePath = ["spec", "resources", "requests", "storage"];
  for (const d of diff(before, after, ["spec"])) {
    const field = String(d.path[1]);
    if (startsWith(d.path, storagePath)) {
      const order = compareQuantities(d.before, d.after);
      if (order === -1) continue; // an increase: allowed for a bound claim whose class allows expansion
      if (order === 1) {
        problems.push({
          path: d.path,
          fieldError: fieldError("spec.resources.requests.storage", "Forbidden", pvcStorageDecreaseDetail(version)),
          before: d.before,
          after: d.after,
          why: `A PersistentVolumeClaim can only grow: its requested storage may be increased (on a bound claim whose StorageClass allows expansion), never decreased (${validationSource("")}).`,
        });
        continue;
      }
    }
    if (field === "volumeAttributesClassName" && gateApplies(PVC_VOLUME_ATTRIBUTES_CLASS_MUTABLE, version)) {
      if (d.after !== undefined) continue;
      problems.push({
        path: d.path,
        fieldError: fieldError("spec.volumeAttributesClassName", "Forbidden", "update from non-nil value to nil is forbidden"),
        before: d.before,
        after: d.after,
        why: `volumeAttributesClassName may change from 1.34, but not from a value back to unset (${validationSource("")}).`,
      });
      continue;
    }
    if (field === "volumeName" && d.before === undefined) continue; // may be set once (§1.9)
    if (field === "volumeMode") {
      problems.push({
        path: d.path,
        fieldError: fieldError("volumeMode", "Invalid value", "field is immutable", renderApiValue(d.after, version)),
        before: d.before,
        after: d.after,
        why: `A PersistentVolumeClaim's volumeMode is fixed at creation (${validationSource("")}).`,
      });
      continue;
    }
    if (field === "storageClassName" && d.before === undefined) {
      problems.push({
        path: d.path,
        fieldError: specError,
        before: d.before,
        after: d.after,
        severity: "warning",
        why: `storageClassName may be set once on a claim that has none, but if the cluster has a default StorageClass the claim was given that class's name when it was created, and any other value is refused (${validationSource("")}). This upgrade fails unless ${JSON.stringify(d.after)} is the default class.`,
      });
      continue;
    }
    problems.push({
      path: d.path,
      fieldError: specError,
      before: d.before,
      after: d.after,
      why: `A PersistentVolumeClaim's spec is immutable after creation, except a storage increase (and volumeAttributesClassName from 1.34) (${validationSource("")}).`,
    });
  }
  return { problems, remedy: () => pvcRemedy(pair) };
}

/** §1.10: volume source, volumeMode, nodeAffinity once set, volumeAttributesClassName set → unset. */
function pv(pair: UpdatePair, version: string): Checked {
  const before = defaultedManifest(pair.before.raw, "v1", "PersistentVolume");
  const after = defaultedManifest(pair.after.raw, "v1", "PersistentVolume");
  const problems: Problem[] = [];
  for (const d of diff(before.spec, after.spec, ["spec"])) {
    const field = String(d.path[1]);
    if (field === "volumeMode") {
      problems.push({
        path: d.path,
        fieldError: fieldError("volumeMode", "Invalid value", "field is immutable", renderApiValue(d.after, version)),
        before: d.before,
        after: d.after,
        why: `A PersistentVolume's volumeMode is fixed at creation (${validationSource("")}).`,
      });
    } else if (field === "nodeAffinity") {
      if (getPath(before, ["spec", "nodeAffinity"]) === undefined) continue; // may be set when unset
      problems.push({
        path: d.path,
        fieldError: fieldError("nodeAffinity", "Invalid value", "field is immutable, except for updating from beta label to GA", renderApiValue(normalize(getPath(after, ["spec", "nodeAffinity"])), version)),
        before: d.before,
        after: d.after,
        why: `A PersistentVolume's nodeAffinity cannot change once set (except renaming a beta topology key to its GA name) (${validationSource("")}).`,
      });
    } else if (field === "volumeAttributesClassName") {
      if (d.after !== undefined) continue;
      problems.push({
        path: d.path,
        fieldError: fieldError("spec.volumeAttributesClassName", "Forbidden", "update from non-nil value to nil is forbidden"),
        before: d.before,
        after: d.after,
        why: `A PersistentVolume's volumeAttributesClassName may not go from a value back to unset (${validationSource("")}).`,
      });
    } else if (!PV_NON_SOURCE_FIELDS.has(field)) {
      // The only exception: CSI controllerExpandSecretRef may be added when unset.
      if (field === "csi" && d.path[2] === "controllerExpandSecretRef" && d.before === undefined && d.path.length === 3) continue;
      problems.push({
        path: d.path,
        fieldError: fieldError("spec.persistentvolumesource", "Forbidden", "spec.persistentvolumesource is immutable after creation"),
        before: d.before,
        after: d.after,
        why: `A PersistentVolume's volume source cannot change after creation (${validationSource("")}).`,
      });
    }
  }
  return { problems, remedy: () => pvRemedy(pair) };
}

/** §1.11: Secret type always; with `immutable: true` stored: data/stringData/binaryData and `immutable` itself. */
function secretOrConfigMap(pair: UpdatePair, version: string): Checked {
  const kind = pair.after.ref.kind;
  const problems: Problem[] = [];
  if (kind === "Secret") {
    const entry = immutableFieldsFor("", "Secret")[0]!;
    const b = getPath(defaultedManifest(pair.before.raw, "v1", "Secret"), entry.path);
    const a = getPath(defaultedManifest(pair.after.raw, "v1", "Secret"), entry.path);
    if (!sameValue(b, a)) {
      problems.push({
        path: entry.path,
        fieldError: fieldError(entry.errorPath, entry.errorType, entry.detail, renderApiValue(a, version)),
        before: b,
        after: a,
        why: `${cap(entry.why)}, whether or not it is marked immutable (${validationSource(entry.group)}).`,
      });
    }
  }
  if (pair.before.raw.immutable === true) {
    if (pair.after.raw.immutable !== true) {
      problems.push({
        path: ["immutable"],
        fieldError: fieldError("immutable", "Forbidden", IMMUTABLE_WHEN_SET_DETAIL),
        before: true,
        after: pair.after.raw.immutable ?? undefined,
        why: `Once a ${kind} is stored with \`immutable: true\`, that flag cannot be unset (${validationSource("")}).`,
      });
    }
    const sections: [string, Map<string, string>, Map<string, string>][] =
      kind === "Secret"
        ? [["data", secretData(pair.before.raw), secretData(pair.after.raw)]]
        : [
            ["data", stringEntries(pair.before.raw.data), stringEntries(pair.after.raw.data)],
            ["binaryData", base64Entries(pair.before.raw.binaryData, false), base64Entries(pair.after.raw.binaryData, false)],
          ];
    for (const [section, b, a] of sections) {
      for (const key of new Set([...b.keys(), ...a.keys()])) {
        if (b.get(key) === a.get(key)) continue;
        const inStringData = kind === "Secret" && isRecord(pair.after.raw.stringData) && Object.hasOwn(pair.after.raw.stringData, key);
        problems.push({
          path: [inStringData ? "stringData" : section, key],
          fieldError: fieldError(section, "Forbidden", IMMUTABLE_WHEN_SET_DETAIL),
          before: b.has(key) ? "<old content>" : undefined,
          after: a.has(key) ? "<new content>" : undefined,
          why: `The stored ${kind} is marked \`immutable: true\`, so its ${section}${kind === "Secret" ? " (including changes made through stringData)" : ""} cannot change (${validationSource("")}).`,
        });
      }
    }
  }
  return { problems, remedy: (p) => secretRemedy(pair, p) };
}

/** §1.12: a bare (non-hook) Pod: spec immutable except images, activeDeadlineSeconds, toleration additions, … */
function pod(pair: UpdatePair): Checked {
  const before = defaultedPodSpec(getPath(pair.before.raw, ["spec"]), { bare: true });
  const after = defaultedPodSpec(getPath(pair.after.raw, ["spec"]), { bare: true });
  const problems: Problem[] = [];
  const forbidden = fieldError("spec", "Forbidden", POD_UPDATE_FORBIDDEN_DETAIL);
  const counted = new Set<string>();
  for (const list of ["containers", "initContainers"]) {
    const b = before[list];
    const a = after[list];
    const bn = Array.isArray(b) ? b.length : 0;
    const an = Array.isArray(a) ? a.length : 0;
    if (bn !== an) {
      counted.add(list);
      problems.push({
        path: ["spec", list],
        fieldError: fieldError(`spec.${list}`, "Forbidden", "pod updates may not add or remove containers"),
        before: bn,
        after: an,
        why: `Containers cannot be added to or removed from a running Pod (${validationSource("")}).`,
      });
    }
  }
  const tolerationsAdded = isSubsetList(before.tolerations, after.tolerations);
  const gatesRemoved = isSubsetList(after.schedulingGates, before.schedulingGates);
  for (const d of diff(before, after, ["spec"])) {
    const field = String(d.path[1]);
    if (counted.has(field)) continue;
    if ((field === "containers" || field === "initContainers") && d.path[3] === "image" && d.path.length === 4) continue;
    if (field === "tolerations" && tolerationsAdded) continue;
    if (field === "schedulingGates" && gatesRemoved) continue;
    if (field === "activeDeadlineSeconds" && typeof d.after === "number" && (d.before === undefined || (typeof d.before === "number" && d.after <= d.before))) continue;
    if (field === "terminationGracePeriodSeconds" && typeof d.before === "number" && d.before < 0 && d.after === 1) continue;
    problems.push({
      path: d.path,
      fieldError: forbidden,
      before: d.before,
      after: d.after,
      why: `A Pod's spec is immutable except container images, activeDeadlineSeconds (set or lowered), added tolerations and removed scheduling gates (${validationSource("")}). Resource changes go through the resize subresource, not through helm upgrade.`,
    });
  }
  return { problems, remedy: () => podRemedy(pair) };
}

/** §1.13, §1.14, §1.16: whole-field comparisons from the table. */
function tableOnly(pair: UpdatePair, version: string): Checked {
  const { group, ref } = pair.after;
  const before = defaultedManifest(pair.before.raw, pair.before.ref.apiVersion, ref.kind);
  const after = defaultedManifest(pair.after.raw, ref.apiVersion, ref.kind);
  const problems: Problem[] = [];
  for (const entry of immutableFieldsFor(group, ref.kind)) {
    if (entry.gate && !gateApplies(entry.gate, version)) continue;
    const b = getPath(before, entry.path);
    const a = getPath(after, entry.path);
    if (sameValue(stringifyScalars(b), stringifyScalars(a))) continue;
    const value = entry.errorType === "Forbidden" ? undefined : renderApiValue(normalize(a), version, entry.path[0] === "roleRef" ? "roleRef" : undefined);
    problems.push({
      path: entry.path,
      fieldError: fieldError(entry.errorPath, entry.errorType, entry.detail, value),
      before: b,
      after: a,
      why: `${cap(entry.why)} (${validationSource(entry.group)}).`,
    });
  }
  return { problems, remedy: () => recreateRemedy(pair) };
}

// ---------------------------------------------------------------------------------------
// Findings and messages
// ---------------------------------------------------------------------------------------

function toFinding(pair: UpdatePair, problem: Problem, remedy: Remedy, version: string): FindingInput {
  const { kind, name } = pair.after.ref;
  const object = `${kind} "${name}"`;
  const apiError = problem.fieldError ? apiInvalid(kind, pair.after.group, name, problem.fieldError) : undefined;
  const helmError = apiError ? helmUpgradeError(kind, name, apiError) : undefined;
  const change =
    isRecord(problem.before) && isRecord(problem.after)
      ? `${formatPath(problem.path)} changes (${diff(problem.before, problem.after)
          .map((d) => `${formatPath(d.path)}: ${describe(d.before)} → ${describe(d.after)}`)
          .join("; ")})`
      : problem.label
        ? `${problem.label} changes from ${describe(problem.before)} to ${describe(problem.after)}`
        : `${formatPath(problem.path)} changes from ${show(pair.before, problem.path, problem.before)} to ${show(pair.after, problem.path, problem.after)}`;
  const outcome = helmError
    ? ` \`helm upgrade\` (Kubernetes ${version}) will fail with:\n  ${helmError}\n(Helm 4 with server-side apply prints "server-side apply failed for object ..." before the same API error.)`
    : "";
  return {
    object: pair.after,
    path: problem.path,
    severity: problem.severity,
    message: `${object}: ${change}. ${problem.why}${outcome}`,
    evidence: { before: problem.before ?? null, after: problem.after ?? null, apiError: apiError ?? null },
    remedy,
  };
}

/** A value for a message; notes where the manifest leaves the field to its default. */
function show(object: KubeObject, path: FieldPath, effective: unknown): string {
  const raw = getPath(object.raw, path);
  const text = describe(effective);
  if ((raw === undefined || raw === null) && effective !== undefined && typeof effective !== "object") {
    return `unset (the API server defaults it to ${text})`;
  }
  return text;
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return "unset";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value !== "object") return String(value);
  const json = JSON.stringify(normalize(value));
  return json.length > 200 ? `${json.slice(0, 197)}...` : json;
}

// ---------------------------------------------------------------------------------------
// Remedies
// ---------------------------------------------------------------------------------------

const noRemedy = (): Remedy => ({ text: "" });

function workloadSelectorRemedy(pair: UpdatePair): Remedy {
  const { kind, name } = pair.after.ref;
  const r = releaseOf(pair.after);
  const oldSelector = selectorOf(pair.before);
  const newSelector = selectorOf(pair.after);
  const oldPodLabels = workloadOf(pair.before)?.podLabels ?? {};
  const chartFix =
    "Keep spec.selector identical across chart versions: render it only from a small, stable selector-labels helper (app.kubernetes.io/name, app.kubernetes.io/instance, optionally app.kubernetes.io/component) and never from helm.sh/chart, app.kubernetes.io/version or user-supplied labels. If the new selector is intended, migrate the deployed release:";
  const orphanDelete = sh`kubectl delete ${kind.toLowerCase()} ${name}${r.ns} --cascade=orphan`;
  const adopted = newSelector && matches(newSelector, oldPodLabels);
  const owned = kind === "Deployment" ? "ReplicaSets" : "pods";
  if (adopted) {
    return {
      text: `${chartFix} delete the ${kind} without deleting its ${owned} (they keep serving), then upgrade. The old ${owned} match the new selector, so the new ${kind} adopts them and replaces them with a normal rollout.`,
      commands: [orphanDelete, r.upgrade],
    };
  }
  // The cleanup must not catch the new pods: add a `key!=value` term when the new pods would match the old selector.
  const newPodLabels = workloadOf(pair.after)?.podLabels ?? {};
  const overlapping = oldSelector === undefined || matches(oldSelector, newPodLabels);
  const exclusion = overlapping && newSelector ? distinguishing(newSelector, oldPodLabels) : undefined;
  const oldText = oldSelector ? describeSelector(oldSelector) : "<old selector>";
  const target = kind === "Deployment" ? "rs" : "pod";
  const cleanup = sh`kubectl delete ${target}${r.ns} -l ${`${oldText}${exclusion ? `,${exclusion}` : ""}`}`;
  return {
    text:
      `${chartFix} delete the ${kind} without deleting its ${owned}, so they keep serving, then upgrade. The old ${owned} do NOT match the new selector: they are not adopted, keep running as orphans (still behind the Service if its selector matches them) and must be deleted once the new pods are Ready` +
      (exclusion ? ` (the \`${exclusion}\` term keeps the new ${kind}'s ${owned} out of the deletion)` : overlapping ? "; check first that the label selector below does not also match the new pods" : "") +
      "." +
      (kind === "DaemonSet" ? " If the pods use hostPorts, new pods cannot start on a node until its old pod is deleted; delete them node by node." : ""),
    commands: [orphanDelete, r.upgrade, cleanup],
  };
}

function statefulSetRemedy(pair: UpdatePair, problems: readonly Problem[]): Remedy {
  const { name } = pair.after.ref;
  const r = releaseOf(pair.after);
  const commands = [sh`kubectl delete statefulset ${name}${r.ns} --cascade=orphan`, r.upgrade];
  const notes: string[] = [];
  const claimTemplateChanged = problems.some((p) => p.path[1] === "volumeClaimTemplates");
  const resized = new Map<string, string>();
  for (const p of problems) {
    if (p.path[1] !== "volumeClaimTemplates" || typeof p.path[2] !== "number") continue;
    if (formatPath(p.path.slice(3)) !== "spec.resources.requests.storage" || typeof p.after !== "string") continue;
    const template = getPath(pair.after.raw, ["spec", "volumeClaimTemplates", p.path[2], "metadata", "name"]);
    if (typeof template === "string") resized.set(template, p.after);
  }
  for (const [template, size] of resized) {
    commands.push(sh`kubectl patch pvc ${`${template}-${name}-0`}${r.ns} -p ${JSON.stringify({ spec: { resources: { requests: { storage: size } } } })}`);
    notes.push(`Repeat the patch of ${template}-${name}-0 for every ordinal (-1, -2, ...); the StorageClass must allow volume expansion.`);
  }
  if (problems.some((p) => p.path[1] === "selector")) {
    notes.push(
      `The selector changes, so the new StatefulSet does not adopt the running pods: after the upgrade delete them one at a time (kubectl delete pod ${name}-0${r.ns}, wait for it to come back Ready, then ${name}-1, ...); they are recreated with the same names and reattach the same PVCs.`,
    );
  }
  return {
    text:
      (claimTemplateChanged
        ? "Claim templates must carry only static labels and annotations: remove helm.sh/chart, app.kubernetes.io/version and anything else that changes between releases from spec.volumeClaimTemplates[*].metadata (use a selector-labels helper). "
        : "Keep the StatefulSet's immutable fields (selector, serviceName, podManagementPolicy, volumeClaimTemplates) identical across chart versions. ") +
      "To apply the change to a deployed release without losing data: delete the StatefulSet but not its pods (--cascade=orphan), then upgrade; the pods keep running, the new StatefulSet adopts them and rolls them, and the PVCs (named <template>-<statefulset>-<ordinal>) are kept and reused. Changing a claim template does not change existing PVCs" +
      (resized.size > 0 ? "; resize them directly:" : ".") +
      (notes.length > 0 ? ` ${notes.join(" ")}` : ""),
    commands,
  };
}

function jobRemedy(pair: UpdatePair): Remedy {
  const { name } = pair.after.ref;
  const r = releaseOf(pair.after);
  return {
    text: "A plain Job cannot be patched once created. Make it a Helm hook (`helm.sh/hook: post-install,post-upgrade` with `helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded`), give it a per-revision name (e.g. suffix `{{ .Release.Revision }}`), or set `ttlSecondsAfterFinished` so it is gone before the next upgrade; keep helm.sh/chart and version labels out of its pod template. For the deployed release, delete the finished Job before upgrading:",
    commands: [sh`kubectl delete job ${name}${r.ns}`, r.upgrade],
  };
}

function serviceRemedy(pair: UpdatePair, problems: readonly Problem[]): Remedy {
  const { name } = pair.after.ref;
  const r = releaseOf(pair.after);
  if (problems.every((p) => p.fieldError === undefined)) {
    return {
      text: "To turn a headless Service into a normal one, the Service must be recreated: delete it, then upgrade (clients see a brief outage and a new IP). Or keep `clusterIP: None` in the chart.",
      commands: [sh`kubectl delete service ${name}${r.ns}`, r.upgrade],
    };
  }
  return {
    text: "Revert the change (leave clusterIP unset, or keep the old value), or recreate the Service: delete it, then upgrade. Recreating causes a brief outage and a new cluster IP (clients that cached the old IP must reconnect).",
    commands: [sh`kubectl delete service ${name}${r.ns}`, r.upgrade],
  };
}

function pvcRemedy(pair: UpdatePair): Remedy {
  const { name } = pair.after.ref;
  return {
    text: `Revert the change to the claim's spec (only a storage increase is allowed). To really change it, migrate the data: create a new claim under another name with the new spec, copy the data (e.g. a Job mounting both), switch the workload to it, then delete ${name}. Deleting ${name} deletes its volume if the reclaim policy is Delete.`,
  };
}

function pvRemedy(pair: UpdatePair): Remedy {
  const { name } = pair.after.ref;
  const r = releaseOf(pair.after);
  return {
    text: `Revert the change, or recreate the PersistentVolume: make sure its reclaim policy is Retain first (otherwise deleting it can delete the data), delete it, then upgrade. A bound claim must be re-bound to the new volume.`,
    commands: [sh`kubectl patch pv ${name} -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'`, sh`kubectl delete pv ${name}`, r.upgrade],
  };
}

function secretRemedy(pair: UpdatePair, problems: readonly Problem[]): Remedy {
  const { kind, name } = pair.after.ref;
  const r = releaseOf(pair.after);
  const onlyType = problems.every((p) => p.path[0] === "type");
  if (onlyType) {
    return {
      text: `Keep the Secret's type, or recreate it: delete it, then upgrade (pods that mount it keep the old content until they restart).`,
      commands: [sh`kubectl delete secret ${name}${r.ns}`, r.upgrade],
    };
  }
  return {
    text: `An immutable ${kind} cannot change: give it a new name whenever its content changes (e.g. suffix the name with a hash of the content, \`${name}-{{ .Values.x | toYaml | sha256sum | trunc 8 }}\`, and reference that name from the pods), so the upgrade creates a new ${kind} and deletes the old one. Or delete it before upgrading (pods that use it keep the old content until they restart):`,
    commands: [sh`kubectl delete ${kind.toLowerCase()} ${name}${r.ns}`, r.upgrade],
  };
}

function podRemedy(pair: UpdatePair): Remedy {
  const { name } = pair.after.ref;
  const r = releaseOf(pair.after);
  return {
    text: "A bare Pod cannot be changed beyond its images and a few scheduling fields. Run it under a controller (Deployment, Job) or as a Helm hook; for the deployed release, delete the Pod before upgrading:",
    commands: [sh`kubectl delete pod ${name}${r.ns}`, r.upgrade],
  };
}

function recreateRemedy(pair: UpdatePair): Remedy {
  const { kind, name } = pair.after.ref;
  const r = releaseOf(pair.after);
  const extra =
    kind === "RoleBinding" || kind === "ClusterRoleBinding"
      ? " The subjects lose the permissions between the delete and the upgrade; alternatively give the binding a new name (Helm then creates the new one and deletes the old one)."
      : kind === "StorageClass"
        ? " Existing volumes keep working; only new claims use the new settings. Alternatively create a StorageClass under a new name."
        : "";
  return {
    text: `Revert the change, or recreate the ${kind}: delete it, then upgrade.${extra}`,
    commands: [sh`kubectl delete ${kind.toLowerCase()} ${name}${r.ns}`, r.upgrade],
  };
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/** The selector as the API server holds it: null/{}/[] dropped, matchLabels values as strings. */
function selectorForApi(raw: unknown): unknown {
  const normalized = normalize(stringifyScalars(raw));
  return normalized === undefined ? null : normalized;
}

/** Selectors compare semantically: matchLabels order is irrelevant; matchExpressions order is (the API uses ordered deep equality). */
function sameSelector(a: unknown, b: unknown): boolean {
  return sameValue(selectorForApi(a), selectorForApi(b));
}

function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyScalars(v)]));
  return typeof value === "number" || typeof value === "boolean" ? String(value) : value;
}

function selectorOf(object: KubeObject): Selector | undefined {
  const raw = getPath(object.raw, ["spec", "selector"]);
  if (!isRecord(raw)) return undefined;
  const selector = compileLabelSelector(raw, { nil: "nothing", empty: "nothing" });
  return selector.matchesNothing ? undefined : selector;
}

/** A `key!=value` term true for the old pods and false for the new ones, from a new `In` requirement the old labels fail. */
function distinguishing(newSelector: Selector, oldLabels: Readonly<Record<string, string>>): string | undefined {
  for (const r of newSelector.requirements) {
    if (r.operator === "In" && r.values.length === 1 && oldLabels[r.key] !== r.values[0]) return `${r.key}!=${r.values[0]}`;
  }
  return undefined;
}

/** clusterIPs[0] or clusterIP; "" and null count as unset (merge-trap handles explicit empties). */
function primaryClusterIP(raw: Record<string, unknown>): string | undefined {
  const list = getPath(raw, ["spec", "clusterIPs"]);
  if (Array.isArray(list) && typeof list[0] === "string" && list[0] !== "") return list[0];
  const single = getPath(raw, ["spec", "clusterIP"]);
  return typeof single === "string" && single !== "" ? single : undefined;
}

function startsWith(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

/** Every element of `small` (normalized) appears in `big`. */
function isSubsetList(small: unknown, big: unknown): boolean {
  const a = Array.isArray(small) ? small : [];
  const b = Array.isArray(big) ? big : [];
  return a.every((item) => b.some((other) => sameValue(item, other)));
}

function stringEntries(map: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (isRecord(map)) for (const [k, v] of Object.entries(map)) if (v !== null && v !== undefined) out.set(k, typeof v === "string" ? v : JSON.stringify(v));
  return out;
}

/** base64 values, re-encoded so whitespace and line breaks do not count as a change. */
function base64Entries(map: unknown, fromText: boolean): Map<string, string> {
  const out = new Map<string, string>();
  if (!isRecord(map)) return out;
  for (const [k, v] of Object.entries(map)) {
    if (v === null || v === undefined) continue;
    const text = typeof v === "string" ? v : String(v);
    out.set(k, fromText ? Buffer.from(text, "utf8").toString("base64") : Buffer.from(text.replace(/\s+/g, ""), "base64").toString("base64"));
  }
  return out;
}

/** A Secret's data as stored: `data` with `stringData` merged over it (the API server encodes stringData into data). */
function secretData(raw: Record<string, unknown>): Map<string, string> {
  const data = base64Entries(raw.data, false);
  for (const [k, v] of base64Entries(raw.stringData, true)) data.set(k, v);
  return data;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

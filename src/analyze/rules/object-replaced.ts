import { keepsPodsBySelector } from "../../k8s/controllers.ts";
import { removedBy } from "../../k8s/removed-apis.ts";
import { getPath, isRecord, refString, type KubeObject } from "../../model/object.ts";
import type { Severity } from "../finding.ts";
import { formatMessage, type MessageData } from "../messages.ts";
import { releaseOf } from "../release.ts";
import { sh, ShellText } from "../shell.ts";
import { type FindingInput, type Rule, ruleHelpUri } from "../rule.ts";
import { replacedPairs, type ReplacedPair } from "../upgrade/replacements.ts";

/**
 * An object that the upgrade deletes and creates again under another name, kind or API
 * group (k8s-rules.md §3.3, §3.4, §8 item 14). Helm creates the new object first and
 * deletes the old one after every update succeeded, without waiting for readiness.
 * StatefulSets lose their data (claims are named `<template>-<sts>-<n>`), claims are
 * provisioned empty, Deployments run both pod sets at once, Services lose their DNS name.
 * Also: a version-only apiVersion change, which Helm v4.0.0–v4.1.0 turn into a delete.
 */
/** The first sentences of every replacement's details: what replaces what, and what Helm does about it. */
const REPLACES = "{{newRef}} replaces {{oldRef}} {{how}}. {{lifecycle}}.";

/** How the new object replaces the old one, by why (ReplacedPair.why); `{{matchedBy}}` says how they were paired. */
const HOW = {
  rename: "under a new name ({{matchedBy}})",
  "kind-change": "under the same name: the kind changes",
  "group-change":
    "under the same name: the API group changes from {{oldGroup}} to {{newGroup}} (Helm 3.17.1+ and 4.1.1+ treat the group as part of the identity; Helm 3.0–3.17.0 patched it in place)",
} as const;

const LIFECYCLE = {
  kept: "Helm creates {{newRef}} and leaves {{oldRef}} running, no longer managed by the release (helm.sh/resource-policy: keep)",
  deleted: "Helm creates {{newRef}} first and deletes {{oldRef}} once every other update succeeded, without waiting for the new object to be ready",
} as const;

export const objectReplaced: Rule = {
  meta: {
    id: "object-replaced",
    severity: "warning",
    summary: "An object is renamed, or changes kind or API group: Helm deletes the old one and creates a new one.",
    messages: {
      statefulSetDataNotReused: "replaces {{oldRef}}: the new pods start on new, empty claims; the old claims stay unused",
      statefulSetDataDeleted: "replaces {{oldRef}}: deleting it deletes its claims and their data (whenDeleted: Delete)",
      statefulSetDataAbandoned: "replaces {{oldRef}}: the new {{newKind}} does not reuse its claims; the data stays unused",
      statefulSetKept: "replaces {{oldRef}}, which is kept running with its data next to the new one",
      statefulSetPodsRenamed: "replaces {{oldRef}}: the pods get new names, so peers that address {{oldName}}-<n> lose them",
      claimDeleted: "replaces {{oldRef}}: provisioned empty, and deleting {{oldRef}} can delete its data",
      claimKept: "replaces {{oldRef}}: provisioned empty; the data stays in the kept claim, unused",
      serviceRenamed: "replaces {{oldRef}}: clients of {{oldName}}.{{namespace}}.svc fail once Helm deletes it",
      serviceKept: "replaces {{oldRef}}, which is kept but no longer managed by the release",
      podsHandover: "replaces {{oldRef}}: both pod sets run, then the old pods go at once, no rolling handover",
      podsKept: "replaces {{oldRef}}; both keep running, and the kept one is no longer managed",
      groupChanged: "replaces {{oldRef}}: the API group changes from {{oldGroup}} to {{newGroup}}",
      versionChanged: "apiVersion changes from {{before}} to {{after}}: Helm v4.0.0–v4.1.0 then delete the object",
    },
    details: {
      statefulSetDataNotReused: `${REPLACES} {{oldRef}}'s pods keep their data in the claims {{oldClaims}}; the new pods {{newName}}-<n> mount fresh, empty claims {{newClaims}} and the old data is not reused. The old claims are left behind (whenDeleted: {{whenDeleted}}): data intact, but unused.`,
      statefulSetDataDeleted: `${REPLACES} {{oldRef}}'s pods keep their data in the claims {{oldClaims}}; the new {{newKind}} does not reuse them. DANGER: {{oldName}} has persistentVolumeClaimRetentionPolicy.whenDeleted: Delete, so when Helm deletes it the claims {{oldClaims}} are deleted too, and with them the data.`,
      statefulSetDataAbandoned: `${REPLACES} {{oldRef}}'s pods keep their data in the claims {{oldClaims}}; the new {{newKind}} does not reuse them, so the app starts without its data. The old claims are left behind (whenDeleted: {{whenDeleted}}): data intact, but unused.`,
      statefulSetKept: `${REPLACES} {{oldRef}}'s pods keep their data in the claims {{oldClaims}}; the new {{newKind}} does not reuse them. The kept {{oldName}} keeps running with its data next to the new one, and both sets of pods carry the app's labels.`,
      statefulSetPodsRenamed: `${REPLACES} The pods get new names ({{newName}}-<n> instead of {{oldName}}-<n>), so peers and clients that address {{oldName}}-<n> by name lose them.`,
      claimDeleted: `${REPLACES} {{newName}} is provisioned as a new, empty volume and Helm deletes {{oldName}}: with the reclaim policy Delete (the default for dynamically provisioned volumes) the data is deleted with it.`,
      claimKept: `${REPLACES} {{newName}} is provisioned as a new, empty volume; the data stays in the kept claim {{oldName}}, unused.`,
      serviceRenamed: `${REPLACES} Clients that use the old DNS name {{oldName}}.{{namespace}}.svc (other releases, Ingresses, configuration) fail once Helm deletes it.`,
      serviceKept: `${REPLACES} {{oldName}} stays and keeps selecting the same pods, but it is no longer managed: later chart changes do not reach it.`,
      podsHandover: `${REPLACES} Both pod sets run at once ({{overlap}}), then {{oldName}}'s pods are removed together as soon as Helm deletes it: no rolling handover, so capacity drops if the new pods are not ready yet.`,
      podsKept: `${REPLACES} Both {{oldRef}} and {{newRef}} keep running, with overlapping selectors if their labels match: Services, PDBs and HPAs count both pod sets until {{oldName}} is deleted by hand.`,
      groupChanged: `${REPLACES} If both API groups serve the same stored objects (an API that moved groups), deleting the old object removes the new one as well.`,
      versionChanged:
        "{{newRef}}: apiVersion changes from {{before}} to {{after}} (same API group). Helm 3.17.1+ and 4.1.1+ patch it in place, but Helm v4.0.0–v4.1.0 compare the full apiVersion: they update the object and then delete it as a leftover of the old release, because both versions are the same stored object (helm/helm#31768).",
    },
    why:
      "Helm pairs objects by API group, kind, namespace and name. Anything else is a create plus a delete: a renamed StatefulSet starts with " +
      "empty volumes (and with whenDeleted: Delete its old data is deleted), a renamed claim is provisioned empty, a renamed Deployment runs both " +
      "pod sets and then drops the old one without a rolling handover, and clients lose a renamed Service's DNS name.",
    fix:
      "Keep names stable across chart versions (fullnameOverride / nameOverride, or a fixed name for claims). When a rename is intended, " +
      "migrate first: keep the old object with helm.sh/resource-policy=keep, move data or traffic, then delete it.",
    migration:
      "Prefer keeping the old name (fullnameOverride, a fixed claim name). When the rename is intended: annotate the old object with `helm.sh/resource-policy: keep` in the last release that has it (or retain its volumes first: set the StatefulSet's persistentVolumeClaimRetentionPolicy and the PersistentVolumes' reclaim policy to Retain), upgrade, move the data or traffic to the new object, then delete the old one by hand.",
    incident:
      "jfrog/charts #1436: renaming the Artifactory StatefulSet in chart 12.x made `helm upgrade` create a new StatefulSet with new volumes and delete the old one; dirsigler/uptime-kuma-helm #227: switching the workload kind from Deployment to StatefulSet deleted the claim and the data with it.",
    helpUri: ruleHelpUri("object-replaced"),
  },
  check(context, report) {
    const upgrade = context.upgrade;
    if (!upgrade) return;
    for (const pair of replacedPairs(upgrade.plan)) report(describeReplacement(pair));
    for (const { before, after } of upgrade.plan.updated) {
      if (before.ref.apiVersion === after.ref.apiVersion) continue;
      // The cluster does not serve the old version: the previous release cannot hold it there. A chart that
      // picks the version by .Capabilities (zabbix's CronJob: batch/v1 wherever served) renders it offline only.
      if (removedBy(before.ref.apiVersion, before.ref.kind, context.settings.kubeVersion)) continue;
      report({
        object: after,
        path: ["apiVersion"],
        related: [before],
        messageId: "versionChanged",
        data: { newRef: refString(after.ref), before: before.ref.apiVersion, after: after.ref.apiVersion },
        evidence: { why: "version-change", before: before.ref.apiVersion, after: after.ref.apiVersion },
        remedy: {
          text: "Run this upgrade with Helm 3.x or Helm 4.1.1 or later; check the version before upgrading.",
          commands: ["helm version --short"],
        },
      });
    }
  },
};

function describeReplacement(pair: ReplacedPair): FindingInput {
  const { before, after, why, kept } = pair;
  const [oldRef, newRef] = [refString(before.ref), refString(after.ref)];
  const path = why === "rename" ? ["metadata", "name"] : why === "kind-change" ? ["kind"] : ["apiVersion"];
  const names = { oldRef, newRef, oldName: before.ref.name, newName: after.ref.name };
  const how = formatMessage(HOW[why], { matchedBy: matched(pair), oldGroup: groupName(before), newGroup: groupName(after) }, "object-replaced how");
  const lifecycle = formatMessage(LIFECYCLE[kept ? "kept" : "deleted"], names, "object-replaced lifecycle");
  const consequence = consequenceOf(pair);
  const evidence = {
    why,
    matchedBy: pair.matchedBy,
    from: `${before.ref.apiVersion} ${oldRef}`,
    kept,
    ...(consequence.danger ? { danger: consequence.danger } : {}),
  };
  const remedy = { text: consequence.remedy, ...(consequence.commands.length > 0 ? { commands: consequence.commands } : {}) };
  return {
    object: after,
    path,
    related: [before],
    severity: consequence.severity,
    messageId: consequence.messageId,
    data: { ...names, how, lifecycle, ...consequence.data },
    evidence,
    remedy,
  };
}

interface Consequence {
  severity: Severity;
  /** The message of the consequence (meta.messages), and the facts it needs beyond the names. */
  messageId: string;
  data: MessageData;
  danger?: string;
  remedy: string;
  commands: string[];
}

function consequenceOf(pair: ReplacedPair): Consequence {
  const { before } = pair;
  if (before.ref.kind === "StatefulSet" && before.group === "apps") return statefulSetConsequence(pair);
  if (before.ref.kind === "PersistentVolumeClaim" && before.group === "") return claimConsequence(pair);
  if (before.ref.kind === "Service" && before.group === "" && pair.why === "rename") return serviceConsequence(pair);
  return workloadConsequence(pair);
}

function statefulSetConsequence(pair: ReplacedPair): Consequence {
  const { before, after, kept } = pair;
  const ns = before.ref.namespace ?? "default";
  const oldName = before.ref.name;
  const claims = claimTemplateNames(before);
  const replicas = replicasOf(before);
  const ordinals = Array.from({ length: replicas }, (_, i) => i);
  const whenDeleted = getPath(before.raw, ["spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"]);
  const deletesData = whenDeleted === "Delete" && !kept && claims.length > 0;
  const newClaims = after.ref.kind === "StatefulSet" ? claims.map((c) => `${c}-${after.ref.name}-<n>`) : [];
  const oldClaims = claims.map((c) => `${c}-${oldName}-<n>`).join(", ");
  const messageId =
    claims.length === 0 ? "statefulSetPodsRenamed"
    : deletesData ? "statefulSetDataDeleted"
    : kept ? "statefulSetKept"
    : newClaims.length > 0 ? "statefulSetDataNotReused"
    : "statefulSetDataAbandoned";
  const data: MessageData = claims.length === 0 ? {} : {
    oldClaims,
    newClaims: newClaims.join(", "),
    newKind: after.ref.kind,
    whenDeleted: typeof whenDeleted === "string" ? whenDeleted : "Retain",
  };
  const commands: string[] = [];
  if (deletesData) {
    commands.push(sh`kubectl -n ${ns} patch statefulset ${oldName} --type merge -p '{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain"}}}'`);
  }
  for (const claim of claims) {
    commands.push(
      sh`for i in ${new ShellText(ordinals.join(" "))}; do kubectl patch pv "$(kubectl -n ${ns} get pvc ${`${claim}-${oldName}-`}$i -o jsonpath='{.spec.volumeName}')" -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'; done`,
    );
  }
  return {
    severity: "error",
    messageId,
    data,
    ...(deletesData ? { danger: "whenDeleted: Delete deletes the old claims and their data" } : {}),
    remedy:
      `Keep the StatefulSet's name: set fullnameOverride (or nameOverride) so it renders as ${oldName} again. ` +
      (claims.length > 0
        ? `If the new name is intended, protect and move the data first: ` +
          (deletesData ? `switch the old set's claim retention to Retain, ` : "") +
          `set the volumes' reclaim policy to Retain (commands below), scale ${oldName} to 0, then bind each retained volume to a claim named ` +
          `${claims[0]}-${after.ref.name}-<n> (spec.volumeName set to the volume, after removing its claimRef) before the new pods start.`
        : `If the new name is intended, update every peer list or client that names ${oldName}-<n>.`),
    commands,
  };
}

function claimConsequence(pair: ReplacedPair): Consequence {
  const { before, kept } = pair;
  const ns = before.ref.namespace ?? "default";
  const oldName = before.ref.name;
  return {
    severity: "error",
    messageId: kept ? "claimKept" : "claimDeleted",
    data: {},
    ...(kept ? {} : { danger: "the old claim is deleted; with reclaimPolicy Delete its data is lost" }),
    remedy:
      `Keep the claim's name (fullnameOverride, or the chart's existingClaim-style value pointing at ${oldName}). ` +
      (kept
        ? `To use the old data, point the workload at ${oldName} instead of the new claim.`
        : `Before upgrading, keep the old claim and its volume (commands below): Helm skips deleting an object whose live ` +
          `annotation helm.sh/resource-policy is keep; then point the workload at ${oldName} or copy the data across.`),
    commands: kept
      ? []
      : [
          sh`kubectl -n ${ns} annotate pvc ${oldName} helm.sh/resource-policy=keep`,
          sh`kubectl patch pv "$(kubectl -n ${ns} get pvc ${oldName} -o jsonpath='{.spec.volumeName}')" -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'`,
        ],
  };
}

function serviceConsequence(pair: ReplacedPair): Consequence {
  const { before, after, kept } = pair;
  const ns = before.ref.namespace ?? "default";
  const oldName = before.ref.name;
  return {
    severity: "warning",
    messageId: kept ? "serviceKept" : "serviceRenamed",
    data: { namespace: ns },
    remedy: kept
      ? `Move clients to ${after.ref.name}.${ns}.svc, then delete ${oldName} by hand.`
      : `Keep the Service's name (fullnameOverride / nameOverride), or keep both names during the move: annotate the old Service ` +
        `with helm.sh/resource-policy=keep before upgrading, move clients to ${after.ref.name}.${ns}.svc, then delete ${oldName}.`,
    commands: kept
      ? [releaseOf(after).upgrade, sh`kubectl -n ${ns} delete service ${oldName}`]
      : [sh`kubectl -n ${ns} annotate service ${oldName} helm.sh/resource-policy=keep`],
  };
}

function workloadConsequence(pair: ReplacedPair): Consequence {
  const { before, after, kept, why } = pair;
  const ns = before.ref.namespace ?? "default";
  const oldName = before.ref.name;
  const oldKind = before.ref.kind.toLowerCase();
  const podOwners = hasPods(before) && hasPods(after);
  // Renames and kind changes pair pod owners only (replacements.ts): any other kind here is a group change.
  const messageId = why === "group-change" ? "groupChanged" : kept ? "podsKept" : "podsHandover";
  const data: MessageData =
    messageId === "podsHandover"
      ? { overlap: why === "kind-change" ? "two controllers with overlapping selectors" : "a surge of old and new pods" }
      : messageId === "groupChanged"
        ? { oldGroup: groupName(before), newGroup: groupName(after) }
        : {};
  const commands =
    kept || !podOwners || why === "group-change"
      ? kept
        ? [releaseOf(after).upgrade, sh`kubectl -n ${ns} delete ${oldKind} ${oldName}`]
        : []
      : [
          sh`kubectl -n ${ns} annotate ${oldKind} ${oldName} helm.sh/resource-policy=keep`,
          releaseOf(after).upgrade,
          sh`kubectl -n ${ns} rollout status ${after.ref.kind.toLowerCase()} ${after.ref.name}`,
          sh`kubectl -n ${ns} delete ${oldKind} ${oldName}`,
        ];
  return {
    severity: "warning",
    messageId,
    data,
    remedy: kept
      ? `Delete ${refString(before.ref)} by hand once ${refString(after.ref)} serves.`
      : podOwners && why !== "group-change"
        ? `Usually fine, but expect twice the pods for a moment. For a controlled handover keep the old object during the upgrade ` +
          `(annotate it with helm.sh/resource-policy=keep), wait until ${refString(after.ref)} is ready, then delete ${refString(before.ref)} (commands below). ` +
          `If the change is not intended, keep the name and kind stable (fullnameOverride / nameOverride).`
        : `If the change is not intended, keep the name, kind and apiVersion stable; otherwise check that nothing depends on the old object.`,
    commands,
  };
}

function matched(pair: ReplacedPair): string {
  return {
    name: "same name",
    selector: "same selector",
    containers: "same containers and images",
    "claim-spec": "same claim spec",
  }[pair.matchedBy];
}

function groupName(object: KubeObject): string {
  return object.group === "" ? "core" : object.group;
}

function hasPods(object: KubeObject): boolean {
  return keepsPodsBySelector(object.group, object.ref.kind);
}

function claimTemplateNames(object: KubeObject): string[] {
  const templates = getPath(object.raw, ["spec", "volumeClaimTemplates"]);
  if (!Array.isArray(templates)) return [];
  return templates.flatMap((t) => {
    const name = isRecord(t) ? getPath(t, ["metadata", "name"]) : undefined;
    return typeof name === "string" ? [name] : [];
  });
}

function replicasOf(object: KubeObject): number {
  const replicas = getPath(object.raw, ["spec", "replicas"]);
  return typeof replicas === "number" && Number.isInteger(replicas) && replicas >= 0 ? Math.min(Math.max(replicas, 1), 100) : 1;
}

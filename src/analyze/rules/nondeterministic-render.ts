import { X509Certificate } from "node:crypto";
import { formatPath, getPath, hookDeletedOnSuccess, pathStartsWith, type KubeObject } from "../../model/object.ts";
import { workloadOf } from "../../model/workloads.ts";
import { andList } from "../messages.ts";
import type { Evidence } from "../finding.ts";
import { changedKey, probesOf, type FieldChange } from "../probes.ts";
import type { AnalysisContext } from "../context.ts";
import { releaseOf } from "../release.ts";
import { orphanDeleteCommand } from "../migration.ts";
import { JOB_TEMPLATE_IMMUTABLE_ERROR, selectorChangeError, statefulSetForbiddenError } from "../../k8s/api-errors.ts";
import { notPatchedOn } from "../volatile-verdicts.ts";
import { chartVersionHashes, hashKeptOnUpgrade, rollIntent } from "../volatile/rolls.ts";
import { keepsOnDelete } from "../upgrade/plan.ts";
import { type FindingInput, type Rule, ruleHelpUri } from "../rule.ts";

/** Template functions that make a render differ from the last one with the same inputs. */
const RANDOM_FUNCTIONS = "randAlphaNum, randAlpha, randNumeric, randAscii, randBytes, randInt, uuidv4, now, genCA, genPrivateKey, genSelfSignedCert, genSignedCert";
const MAX_FIELDS_NAMED = 6;


const RANDOM_CAUSE = `Random or time-based template functions (such as ${RANDOM_FUNCTIONS}) make them differ.`;
const NO_CLUSTER =
  "Without a cluster connection `lookup` finds nothing: `helm template`, --dry-run, and tools that render that way and apply the result (Argo CD renders with `helm template`)";
const REVISION = "helm template always renders revision 1; the next release renders {{next}}.";

/** Kinds whose certificates or CA bundles come from genCA & co. */
const CA_BUNDLE_KINDS = new Set(["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService", "CustomResourceDefinition"]);

/** Hooks that upgrades run; the others run on install, on delete or on `helm test` only. */
const UPGRADE_HOOKS = new Set(["pre-upgrade", "post-upgrade", "pre-rollback", "post-rollback"]);

/**
 * Whether `helm upgrade` writes the object: release objects, and hooks of upgrades. A value
 * a test pod or an install-only hook generates is made once per run, which is the point.
 */
function writtenByUpgrades(object: KubeObject): boolean {
  return object.hooks.length === 0 || object.hooks.some((hook) => UPGRADE_HOOKS.has(hook));
}

/** Objects that are meant to run again on each release when renamed (Jobs, bare Pods, hooks). */
function runsPerRelease(object: KubeObject): boolean {
  return object.hooks.length > 0 || object.ref.kind === "Job" || object.ref.kind === "Pod";
}

/**
 * A generated value that carries nothing from one release to the next: in a Job or bare Pod
 * created anew on each release (an upgrade hook, which Helm creates and never patches; or a
 * generateName), whose pods run once with the values of their release; or in an annotation
 * of a hook, which Helm creates anew with it.
 */
function carriesNothing(object: KubeObject, change: FieldChange): boolean {
  if (object.hooks.length === 0 && !object.generatedName) return false;
  if (object.ref.kind === "Job" || object.ref.kind === "Pod") return true;
  return object.hooks.length > 0 && change.path[0] === "metadata" && change.path[1] === "annotations";
}

/**
 * Where random fields sit when all of them are in one pod template: a long-running
 * workload's (every upgrade restarts its pods) or a CronJob's (nothing restarts: only the
 * Jobs it starts afterwards get the new value). Undefined elsewhere.
 */
function podTemplateOf(object: KubeObject, changes: readonly FieldChange[]): "pods" | "cronJob" | undefined {
  const workload = workloadOf(object);
  if (workload === undefined || workload.templatePath.length === 0) return undefined;
  const template = workload.templatePath;
  if (!changes.every((change) => pathStartsWith(change.path, template))) return undefined;
  if (object.ref.kind === "CronJob") return "cronJob";
  return workload.runsToCompletion ? undefined : "pods";
}

function secretRemedy(object: KubeObject): string {
  const name = object.ref.name;
  return (
    "Generate a value once and keep it: read the Secret the release already has with `lookup` and reuse its value when present " +
    `({{- $old := lookup "v1" "Secret" .Release.Namespace "${name}" }} ... {{ if $old }}{{ index $old.data "<key>" }}{{ else }}{{ randAlphaNum 32 | b64enc }}{{ end }}), ` +
    "or let users pass the value in values (fail with `required` when it is missing, or point at an existing Secret). `helm template` and --dry-run " +
    "have no cluster, so there `lookup` finds nothing and the value still differs: that is expected."
  );
}

function certificateRemedy(): string {
  return (
    "Do not generate certificates at render time: let cert-manager issue the certificate (and its cainjector fill caBundle), " +
    "or keep the one the release already has with `lookup` on its Secret and generate a new one only when none exists."
  );
}

/**
 * The "generate once, then reuse" pattern: the object's template (or a helper it includes)
 * reads the object's kind back from the cluster with `lookup` (a Secret, for certificates
 * written into webhooks and API services). `helm template` and --dry-run have no cluster,
 * so `lookup` finds nothing there and both renders generate: the difference says nothing
 * about a real upgrade, where the chart finds the release's object and keeps its value.
 */
function reusedByLookup(context: AnalysisContext, object: KubeObject, certificate: boolean): string | undefined {
  const template = object.doc.template;
  const kinds = template === undefined ? undefined : context.chartFacts?.lookups.get(template);
  if (kinds === undefined) return undefined;
  if (kinds.has(object.ref.kind)) return object.ref.kind;
  return certificate && kinds.has("Secret") ? "Secret" : undefined;
}

function reusedFinding(object: KubeObject, changes: readonly FieldChange[], named: string, fields: readonly string[], lookedUp: string): FindingInput {
  return {
    object,
    path: changes[0]!.path,
    severity: "info",
    messageId: "reusedByLookup",
    data: { fields: named, lookedUp },
    evidence: { cause: "random", fields: [...fields], reusedBy: `lookup ${lookedUp}` },
    remedy: {
      text: "Nothing to change for `helm install`/`helm upgrade`. Where the chart is rendered without a cluster connection (GitOps), pass the value in values or point the chart at an existing Secret, so that every render agrees.",
    },
  };
}

/** What in a template can keep a generated value on upgrade: reading the object back, or a branch on install vs upgrade. */
const KEEPS_A_VALUE = /\blookup\b|\.Release\.Is(?:Install|Upgrade)\b/;

/**
 * Whether helm upgrade keeps the field, as the upgrade probe found (undefined where it did not
 * run). Two renders that differ say it is not kept; two that agree say it is only where the
 * template (or a helper it includes) has `lookup` or an install/upgrade branch, the only ways
 * to keep a generated value: elsewhere the agreement is chance (a random minute of an hour
 * matches 1 time in 60).
 */
function keptOnUpgrade(context: AnalysisContext, object: KubeObject, change: FieldChange): boolean | undefined {
  if (change.keptOnUpgrade !== true) return change.keptOnUpgrade;
  const template = object.doc.template;
  const parts = template === undefined ? undefined : context.chartFacts?.templateTexts?.get(template);
  return parts === undefined || parts.some((part) => KEEPS_A_VALUE.test(part));
}

/**
 * A random pod annotation that restarts no pods of its own: on a hook, which Helm creates
 * anew on each release anyway; or a hash of fields the chart refuses to upgrade without
 * (the hashed object's finding quotes the refusal; once the values are passed they stay).
 */
/** Whether the annotation also hashes objects that carry the chart version (volatile/rolls.ts chartVersionHashes). */
function hashesChartVersion(context: AnalysisContext, object: KubeObject, change: FieldChange): boolean {
  const workload = context.workloadFor(object);
  return workload !== undefined && chartVersionHashes(context, workload).some((hash) => hash.annotation === changedKey(change));
}

function restartsNothing(context: AnalysisContext, object: KubeObject, change: FieldChange): boolean {
  if (object.hooks.length > 0) return true;
  return change.upgradeRefusal !== undefined && rollIntent(context, object, change) === "hash";
}


function reusedHashFinding(object: KubeObject, change: FieldChange): FindingInput {
  const key = changedKey(change);
  return {
    object,
    path: change.path,
    severity: "info",
    messageId: "reusedHash",
    data: { annotation: key },
    evidence: { cause: "random", annotation: key, reusedBy: "lookup Secret" },
    remedy: {
      text: "Nothing to change for `helm install`/`helm upgrade`. Where the chart is rendered without a cluster connection (GitOps), pass the Secret's values in values or point the chart at an existing Secret, so that every render agrees.",
    },
  };
}

// A bcrypt hash (htpasswd, bcrypt): `$2a$10$` + 53 characters, alone, as htpasswd's `user:hash`, or inside a config file.
const BCRYPT = /\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}/;
const EVERY_BCRYPT = new RegExp(BCRYPT.source, "g");

/**
 * The two values differ only in bcrypt hashes (as written, or base64 in a Secret's data, a
 * whole web config file included): a new salt each render, the same secret hashed.
 */
function saltedHash(change: FieldChange): boolean {
  const plain = (value: string | undefined) => (value === undefined ? "" : BCRYPT.test(value) ? value : Buffer.from(value, "base64").toString("latin1"));
  const [before, after] = [plain(change.before), plain(change.after)];
  const unsalted = (text: string) => text.replace(EVERY_BCRYPT, () => "bcrypt");
  return BCRYPT.test(before) && BCRYPT.test(after) && unsalted(before) === unsalted(after);
}

function rehashedFinding(object: KubeObject, changes: readonly FieldChange[]): FindingInput {
  const fields = changes.map((c) => formatPath(c.path));
  return {
    object,
    path: changes[0]!.path,
    severity: "info",
    messageId: "rehashed",
    data: { fields: andList(fields) },
    evidence: { cause: "random", fields, saltedHash: "bcrypt" },
    remedy: { text: "Nothing to change for the password itself. To keep the object stable across upgrades (GitOps drift, checksum annotations), let users pass the hash in values, or reuse the existing hash with `lookup` when the password is unchanged." },
  };
}

/**
 * Fields the upgrade probe proves new on every upgrade in a template that does read the
 * object back with `lookup`: the chart means to keep something, so say what it does not keep.
 */
function notKeptFinding(
  object: KubeObject,
  first: FieldChange,
  named: string,
  fields: readonly string[],
  reuse: { lookedUp: string; certificate: boolean; switches: readonly string[] },
): FindingInput {
  const { lookedUp, certificate, switches } = reuse;
  const what = certificate ? "certificate or CA" : "value";
  // A values switch that asks for new ones: the chart's documented choice, which the user can turn off.
  if (switches.length > 0) {
    return {
      object,
      path: first.path,
      severity: "info",
      messageId: "regeneratedByValues",
      data: { fields: named, what, switches: andList(switches) },
      evidence: { cause: "random", fields: [...fields], lookup: lookedUp, keptOnUpgrade: false, switches: [...switches] },
      remedy: { text: `Nothing to change if a new ${what} on every upgrade is intended; set ${andList(switches)} to false to keep the one the release has.` },
    };
  }
  return {
    object,
    path: first.path,
    severity: "warning",
    messageId: "notKeptByLookup",
    data: { fields: named, lookedUp, what },
    evidence: { cause: "random", fields: [...fields], lookup: lookedUp, keptOnUpgrade: false },
    remedy: {
      text: "Where the values ask for new ones on every upgrade on purpose (a recreate or regenerate switch), nothing to change, or turn the switch off to keep them. Otherwise read back the object and key the chart writes, and generate only when the lookup finds nothing.",
    },
  };
}

/** An object its template renders on install only, with values generated then: `helm upgrade` no longer renders it, so Helm deletes it. */
function deletedOnUpgradeFinding(object: KubeObject, first: FieldChange, named: string, fields: readonly string[]): FindingInput {
  return {
    object,
    path: first.path,
    severity: "warning",
    messageId: "deletedOnUpgrade",
    data: { fields: named, kind: object.ref.kind },
    evidence: { cause: "random", fields: [...fields], goneOnUpgrade: true },
    remedy: {
      text: "Render the object on every release: generate its values on install and read them back with `lookup` on upgrade; or annotate it helm.sh/resource-policy: keep, so that Helm leaves it in place when a release no longer renders it.",
    },
  };
}

/** Generated fields of a chart that refuses `helm upgrade` with the same values: the user passes the current ones first. */
function refusedUpgradeFinding(object: KubeObject, first: FieldChange, named: string, fields: readonly string[], refusal: string): FindingInput {
  return {
    object,
    path: first.path,
    severity: "info",
    messageId: "refusedOnUpgrade",
    data: { fields: named, refusal },
    evidence: { cause: "random", fields: [...fields], upgradeRefusal: refusal },
    remedy: {
      text: "Nothing to change if the values the chart asks for set these fields. A field they do not set is generated anew by the upgrade that passes them: reuse it with `lookup` of the existing object, or take it from values.",
    },
  };
}

/** The CA certificates the upgrade probe saw kept (read back with `lookup`), wherever in the render. */
function keptAuthorities(context: AnalysisContext): X509Certificate[] {
  const authorities: X509Certificate[] = [];
  for (const changes of context.probes?.changes.values() ?? []) {
    for (const change of changes) {
      const certificate = change.keptOnUpgrade === true ? parsedCertificate(change.before) : undefined;
      if (certificate?.ca === true) authorities.push(certificate);
    }
  }
  return authorities;
}

/**
 * A certificate (not a CA) that changes on every render, signed by a CA the release keeps:
 * each upgrade re-signs it with that CA, which the clients trust (a webhook's caBundle), so
 * nothing breaks (kubescape's admission webhook).
 */
function signedByKeptAuthority(context: AnalysisContext, changes: readonly FieldChange[]): boolean {
  const authorities = context.derived(keptAuthorities);
  if (authorities.length === 0) return false;
  const certificates = changes.map((change) => parsedCertificate(change.before)).filter((c): c is X509Certificate => c !== undefined);
  return certificates.length > 0 && certificates.every((leaf) => !leaf.ca && authorities.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey)));
}

function parsedCertificate(value: string | undefined): X509Certificate | undefined {
  const text = certificateText(value);
  if (text === undefined) return undefined;
  try {
    return new X509Certificate(text);
  } catch {
    return undefined; // PEM a chart wrote by hand, or cut short: not a certificate to reason about
  }
}

/** One finding for the fields of an object that differ between two identical renders (other than labels the volatile-* rules report). */
function randomFieldsFinding(context: AnalysisContext, object: KubeObject, allChanges: readonly FieldChange[]): FindingInput {
  // A salted hash differs per render although what it hashes is kept: reported alone, as info, only when nothing else changes.
  const changes = allChanges.filter((change) => !saltedHash(change));
  if (changes.length === 0) return rehashedFinding(object, allChanges);
  const fields = changes.map((c) => formatPath(c.path));
  const named = andList(fields.length > MAX_FIELDS_NAMED ? [...fields.slice(0, MAX_FIELDS_NAMED), `${fields.length - MAX_FIELDS_NAMED} more`] : fields);
  const first = changes[0]!;
  const isSecret = object.ref.kind === "Secret" && object.group === "";
  const tls =
    isSecret &&
    (getPath(object.raw, ["type"]) === "kubernetes.io/tls" || fields.some((f) => /\.(tls\.(crt|key)|ca\.crt)$/.test(f)) || changes.some((change) => certificateText(change.before) !== undefined));
  const caBundle = CA_BUNDLE_KINDS.has(object.ref.kind) || fields.some((f) => f.endsWith("caBundle"));
  const lookedUp = reusedByLookup(context, object, tls || caBundle);
  // A hook is no part of the release: Helm deletes it only to create it anew, never because an upgrade no longer renders it.
  if (changes.every((change) => change.goneOnUpgrade === true) && !keepsOnDelete(object) && object.hooks.length === 0) return deletedOnUpgradeFinding(object, first, named, fields);
  if (changes.every((change) => change.keptOnUpgrade !== undefined)) {
    // The upgrade probe ran: each field's own truth, not the template's.
    const rotated = changes.filter((change) => keptOnUpgrade(context, object, change) === false);
    if (rotated.length === 0) return reusedFinding(object, changes, named, fields, lookedUp ?? (tls || caBundle ? "Secret" : object.ref.kind));
    if (rotated.length < changes.length) return randomFieldsFinding(context, object, rotated);
  } else if (lookedUp !== undefined) return reusedFinding(object, changes, named, fields, lookedUp);
  // What a chart asks for before it upgrades is values (passwords): a certificate it generates is not one of them.
  const refusal = tls || caBundle ? undefined : first.upgradeRefusal;
  if (refusal !== undefined) return refusedUpgradeFinding(object, first, named, fields, refusal);
  if ((tls || caBundle) && signedByKeptAuthority(context, changes)) return infoFinding("resignedByKeptCa", object, first, named, fields);
  if (lookedUp !== undefined && changes.every((change) => keptOnUpgrade(context, object, change) === false)) {
    const switches = object.doc.template === undefined ? undefined : context.chartFacts?.regenerateSwitches?.get(object.doc.template);
    return notKeptFinding(object, first, named, fields, { lookedUp, certificate: tls || caBundle, switches: switches ?? [] });
  }
  let messageId: string;
  let text: string;
  if (tls || caBundle) {
    messageId = "randomCertificate";
    text = certificateRemedy();
  } else if (isSecret) {
    messageId = "randomSecret";
    text = secretRemedy(object);
  } else if (changes.every((change) => change.path[0] === "metadata" && change.path[1] === "annotations")) {
    return infoFinding("randomAnnotations", object, first, named, fields);
  } else {
    const template = podTemplateOf(object, changes);
    if (template === "cronJob") return infoFinding("randomCronJobTemplate", object, first, named, fields);
    if (template === "pods" && changes.every((change) => rollIntent(context, object, change) === "deliberate")) return infoFinding("rollFieldsDeliberate", object, first, named, fields);
    messageId = template === "pods" ? "rollFields" : "randomFields";
    text = "Render the fields from the chart and values only: compute a value once and pass it in values, or keep the value the release already has with `lookup`.";
  }
  return fieldsFinding("warning", messageId, text, object, first, named, fields);
}

/** Random fields whose change on every upgrade is harmless or meant: info, and what to do if it is not. */
const INFO_REMEDIES = {
  randomAnnotations: "Nothing to change if the annotation is meant to mark each release (a refresh trigger). Otherwise render it from the chart and values only.",
  randomCronJobTemplate: "Nothing restarts. If the Jobs need a value that stays the same across releases, pass it in values or keep it in a Secret the chart reuses with `lookup`.",
  rollFieldsDeliberate: "Nothing to change if the restarts are meant. To restart the pods only when their configuration changes, a checksum annotation does that instead.",
  resignedByKeptCa: "Nothing to change if a new certificate on each upgrade is intended. To keep the object stable (GitOps drift), read the certificate back with `lookup` as the chart does its CA.",
} as const;

function infoFinding(messageId: keyof typeof INFO_REMEDIES, object: KubeObject, first: FieldChange, named: string, fields: readonly string[]): FindingInput {
  return fieldsFinding("info", messageId, INFO_REMEDIES[messageId], object, first, named, fields);
}

function fieldsFinding(severity: "warning" | "info", messageId: string, text: string, object: KubeObject, first: FieldChange, named: string, fields: readonly string[]): FindingInput {
  return { object, path: first.path, severity, messageId, data: { fields: named }, evidence: { cause: "random", fields: [...fields] }, remedy: { text } };
}

function randomNameFinding(object: KubeObject, change: FieldChange): FindingInput {
  if (object.hooks.length > 0) {
    return {
      object,
      path: change.path,
      severity: "info",
      messageId: "randomHookName",
      data: { before: change.before ?? "", after: change.after ?? "", kind: object.ref.kind },
      evidence: { cause: "random", fields: ["metadata.name"] },
      remedy: { text: "Add hook-succeeded to helm.sh/hook-delete-policy (before-hook-creation,hook-succeeded), or name the hook from the release and chart only, so that before-hook-creation finds the previous one." },
    };
  }
  const perRelease = runsPerRelease(object);
  return {
    object,
    path: change.path,
    severity: perRelease ? "info" : "warning",
    messageId: perRelease ? "randomNamePerRelease" : "randomName",
    data: { before: change.before ?? "", after: change.after ?? "", kind: object.ref.kind },
    evidence: { cause: "random", fields: ["metadata.name"] },
    remedy: {
      text: perRelease
        ? "To run a Job on each release with a stable name, make it a Helm hook (helm.sh/hook: post-install,post-upgrade with helm.sh/hook-delete-policy: before-hook-creation); or name it with .Release.Revision, which is deterministic per release."
        : "Name the object from the release and chart only (e.g. the fullname helper), never from a random or time-based function.",
    },
  };
}

function rollAnnotationFinding(context: AnalysisContext, object: KubeObject, change: FieldChange, byRevision: boolean): FindingInput {
  const key = changedKey(change);
  const intent = rollIntent(context, object, change);
  const messageId = byRevision ? "revisionAnnotation" : intent === "hash" ? "hashesRandom" : "rollAnnotation";
  return {
    object,
    path: change.path,
    severity: intent === undefined ? "warning" : "info",
    messageId: intent === "deliberate" ? `${messageId}Deliberate` : messageId,
    data: { annotation: key },
    evidence: byRevision ? { source: ".Release.Revision", annotation: key } : { cause: "random", annotation: key, value: change.before ?? "" },
    remedy: {
      text:
        messageId === "hashesRandom"
          ? "Fix the value it hashes, which the chart generates anew on every render (its own finding says how: keep it across upgrades with lookup, or let users set it); the checksum then changes only when the configuration does."
          : "To restart pods only when their configuration changes, use a checksum annotation instead (checksum/config: {{ include (print $.Template.BasePath \"/configmap.yaml\") . | sha256sum }}); to restart them on demand, use kubectl rollout restart.",
    },
  };
}

/** A field set from `.Release.Revision`: what it does on every release depends on where it sits. */
function revisionFinding(context: AnalysisContext, object: KubeObject, change: FieldChange): FindingInput | undefined {
  const kubeVersion = context.settings.kubeVersion;
  const evidence: Evidence = { source: ".Release.Revision", field: formatPath(change.path), ...(change.key === undefined ? {} : { label: change.key }) };
  switch (change.section) {
    case "name":
      return revisionNameFinding(object, change, evidence);
    case "selector":
      return revisionRefusedFinding(object, change, evidence, {
        messageId: "revisionSelector",
        failure: selectorChangeError(object.ref.kind, kubeVersion),
        text: "Build the selector from a stable selectorLabels helper (app.kubernetes.io/name, app.kubernetes.io/instance). For a release already deployed, delete the workload without its pods, then upgrade.",
      });
    case "claim-template":
      return revisionRefusedFinding(object, change, evidence, {
        messageId: "revisionClaimTemplate",
        failure: statefulSetForbiddenError(kubeVersion),
        text: "Keep claim template metadata static. For a release already deployed, delete the StatefulSet without its pods, then upgrade; the PersistentVolumeClaims are kept and reused.",
      });
    case "pod-labels":
      return revisionPodLabelFinding(object, change, evidence);
    case "pod-annotations":
      return rollAnnotationFinding(context, object, change, true);
    default:
      return undefined;
  }
}

function revisionNameFinding(object: KubeObject, change: FieldChange, evidence: Evidence): FindingInput {
  const { kind, name } = object.ref;
  const perRelease = runsPerRelease(object);
  return {
    object,
    path: change.path,
    severity: "info",
    messageId: perRelease ? "revisionNamePerRelease" : "revisionName",
    data: { name, kind, next: change.after ?? "" },
    evidence,
    remedy: {
      text: perRelease
        ? "Nothing to do if the Job is meant to run on each release. A Helm hook (helm.sh/hook: pre-upgrade or post-upgrade, helm.sh/hook-delete-policy: before-hook-creation) does the same with a stable name."
        : "Name long-lived objects from the release and chart only (the fullname helper); keep .Release.Revision out of names.",
    },
  };
}

/** An immutable field (a selector, claim template metadata) set from the revision: the API server refuses the second upgrade. */
function revisionRefusedFinding(
  object: KubeObject,
  change: FieldChange,
  evidence: Evidence,
  refusal: { messageId: string; failure: string; text: string },
): FindingInput {
  return {
    object,
    path: change.path,
    severity: "error",
    messageId: refusal.messageId,
    data: { label: change.key ?? "", next: change.after ?? "", failure: refusal.failure },
    evidence,
    remedy: { text: refusal.text, commands: [orphanDeleteCommand(object), releaseOf(object).upgrade] },
  };
}

/** A pod template label set from the revision: a Job Helm patches in place refuses it, other workloads restart. */
function revisionPodLabelFinding(object: KubeObject, change: FieldChange, evidence: Evidence): FindingInput {
  const { kind } = object.ref;
  const job = kind === "Job" && object.hooks.length === 0;
  return {
    object,
    path: change.path,
    severity: job ? "error" : "warning",
    messageId: job ? "revisionJobLabel" : "revisionPodLabel",
    data: { label: change.key ?? "", next: change.after ?? "", kind },
    evidence,
    remedy: { text: "Keep .Release.Revision out of pod template labels; if a restart on each upgrade is wanted, use a pod template annotation (it does not take part in selection)." },
  };
}

/**
 * Fields that change on every render (random or time-based template functions) or on
 * every release (`.Release.Revision`), found by rendering twice and by a probe that raises
 * the revision (k8s-rules.md §8 item 16). Labels in selectors, claim templates and pod
 * templates that change at random are reported by the volatile-* rules, with cause `random`.
 */
const DELIBERATE_ROLL =
  "The chart means it (the annotation's name, a values flag or a comment says so): a roll annotation (such as rollme: {{ randAlphaNum 5 | quote }}) restarts the pods on every release on purpose. To restart them only when their configuration changes, a checksum annotation does that instead.";

export const nondeterministicRender: Rule = {
  meta: {
    id: "nondeterministic-render",
    severity: "warning",
    summary: "Fields that differ between two renders of the same inputs (randAlphaNum, now, genCA, ...) or change on every release (.Release.Revision).",
    messages: {
      randomFields: "changes between two renders of the same chart and values: {{fields}}",
      randomAnnotations: "annotation changes on every upgrade, a marker of each release: {{fields}}",
      rollFields: "pod template changes between two renders of the same chart and values, so every upgrade restarts the pods: {{fields}}",
      rollFieldsDeliberate: "pod template changes on every upgrade to restart the pods, on purpose: {{fields}}",
      resignedByKeptCa: "certificate re-signed on every upgrade by the CA the release keeps: {{fields}}",
      randomCronJobTemplate: "CronJob job template changes on every upgrade (nothing restarts; the Jobs it starts afterwards get the new value): {{fields}}",
      randomSecret: "Secret changes between two renders of the same chart and values: {{fields}}",
      randomCertificate: "certificate or CA changes between two renders of the same chart and values: {{fields}}",
      reusedByLookup: "generated at render time, kept on upgrade by lookup of the existing {{lookedUp}}: {{fields}}",
      notKeptByLookup: "{{what}} generated anew on every upgrade although the template reads the existing {{lookedUp}} back with lookup: {{fields}}",
      regeneratedByValues: "{{what}} generated anew on every upgrade, as the chart's {{switches}} asks: {{fields}}",
      deletedOnUpgrade: "{{kind}} rendered on install only, with values generated then: the first helm upgrade deletes it: {{fields}}",
      refusedOnUpgrade: "generated at render time; the chart refuses helm upgrade until the current values are passed (\"{{refusal}}\"): {{fields}}",
      reusedHash: "pod template annotation {{annotation}} hashes a Secret the chart keeps with lookup",
      rehashed: "bcrypt hash salted anew on every render, of the same value: {{fields}}",
      randomName: "name differs between two renders of the same inputs ({{before}} vs {{after}})",
      randomNamePerRelease: "name differs between two renders of the same inputs ({{before}} vs {{after}})",
      randomHookName: "hook name differs between two renders of the same inputs ({{before}} vs {{after}})",
      rollAnnotation: "pod template annotation {{annotation}} differs between two renders: every upgrade restarts the pods",
      hashesRandom: "pod template annotation {{annotation}} hashes a value generated on every render: every upgrade restarts the pods",
      revisionAnnotation: "pod template annotation {{annotation}} is set from .Release.Revision: every upgrade restarts the pods",
      rollAnnotationDeliberate: "pod template annotation {{annotation}} restarts the pods on every upgrade, on purpose",
      revisionAnnotationDeliberate: "pod template annotation {{annotation}} is set from .Release.Revision to restart the pods on every upgrade, on purpose",
      revisionName: "name {{name}} is set from .Release.Revision: a new {{kind}} on each release",
      revisionNamePerRelease: "name {{name}} is set from .Release.Revision: a new {{kind}} on each release",
      revisionSelector: "selector label {{label}} is set from .Release.Revision: every upgrade fails",
      revisionClaimTemplate: "claim template label {{label}} is set from .Release.Revision: every upgrade fails",
      revisionJobLabel: "pod template label {{label}} is set from .Release.Revision: every upgrade fails while the Job exists",
      revisionPodLabel: "pod template label {{label}} is set from .Release.Revision: every upgrade restarts the pods",
    },
    details: {
      randomFields: `${RANDOM_CAUSE} Every helm upgrade changes these fields although nothing changed, and GitOps tools (Argo CD, Flux drift detection) never see the release in sync.`,
      randomAnnotations: `${RANDOM_CAUSE} Every helm upgrade writes a new value. An annotation outside a pod template carries no application data: such a value marks each release, often on purpose (a timestamp that makes an operator refresh the object). GitOps tools never see the release in sync.`,
      rollFields: `${RANDOM_CAUSE} Every helm upgrade writes a new value into the pod template, so the pods restart although nothing else changed, and GitOps tools never see the release in sync.`,
      resignedByKeptCa: `${RANDOM_CAUSE} The certificate is signed by a CA the chart keeps across upgrades (it reads it back with \`lookup\`): clients that trust that CA (a webhook's or API service's caBundle) accept each new certificate, so nothing breaks; the object changes on every upgrade, which GitOps tools show as drift.`,
      rollFieldsDeliberate: `${RANDOM_CAUSE} The field's name (a cache-bust token, a restart or roll marker) or a comment or values flag in the template says the chart changes it to restart the pods on every release: that is the intent.`,
      randomCronJobTemplate: `${RANDOM_CAUSE} Every helm upgrade updates the CronJob with a new value. No pod restarts; the Jobs it starts afterwards run with the new value, and GitOps tools never see the release in sync.`,
      randomSecret:
        `${RANDOM_CAUSE} Every helm upgrade writes new values into the Secret: passwords and keys change under the running application, and whatever was set up with the old value (a database user, an encrypted volume, issued tokens) stops working.`,
      randomCertificate:
        `${RANDOM_CAUSE} Every helm upgrade issues a new certificate or CA: clients that trusted the old one (the API server calling a webhook, pods holding the CA) fail until everything has picked up the new one, and the changed object shows as drift to GitOps tools.`,
      deletedOnUpgrade:
        "The upgrade probe renders the chart as `helm upgrade` does, and this {{kind}} is not in that render (its template renders it only while .Release.IsInstall is true). It has no helm.sh/resource-policy: keep, so the first helm upgrade deletes it, with the values generated on install: pods that read it fail at their next start, and `lookup` finds nothing to reuse after that.",
      refusedOnUpgrade:
        "They come from a random or time-based template function, and the chart fails `helm upgrade` with the same values on purpose (\"{{refusal}}\"): an upgrade runs only once the user passes the current values, and the fields set from them then stay. " +
        "A field none of those values sets is still generated anew by that upgrade.",
      regeneratedByValues:
        "The upgrade probe renders the chart as `helm upgrade` does, with every `lookup` answered from the installed release, and these fields still differ: the template reads the existing object back, but the values switch the reuse off ({{switches}}). Every helm upgrade then replaces them; for a certificate, clients that trusted the old one fail until they pick up the new one. It is the chart's choice, and the user's to turn off.",
      notKeptByLookup:
        "The upgrade probe renders the chart as `helm upgrade` does, with every `lookup` answered from the installed release, and these fields still differ: the values switch the reuse off (a recreate or regenerate setting), the lookup reads another object or key than the one written, or these fields are generated next to others that are kept. Every helm upgrade then replaces them: clients that trusted an old certificate fail until they pick up the new one, and an application set up with an old password or key loses it.",
      reusedByLookup:
        "They come from a random or time-based template function, and the template reads the existing {{lookedUp}} back with `lookup`: on install the value is generated once; on `helm upgrade` the chart finds the release's object and keeps its value. " +
        `${NO_CLUSTER} get a new value on every render.`,
      rehashed:
        "bcrypt (htpasswd, bcrypt) salts each hash at random, so every render, and every helm upgrade, writes a new hash; it verifies the same password, so logins keep working. The object still changes on each upgrade: GitOps tools show drift, and a checksum annotation over it restarts the pods.",
      reusedHash:
        "The chart generates the Secret once and reads it back with `lookup`: on `helm upgrade` the Secret keeps its value, so the hash stays the same and the pods do not restart. " +
        `${NO_CLUSTER} get a new hash, and restart the pods, on every render.`,
      randomName: "Every helm upgrade creates the {{kind}} under a new name and deletes the old one. Anything that refers to it by name, or state it holds, is lost on each upgrade.",
      randomNamePerRelease: "Every helm upgrade creates the {{kind}} under a new name and deletes the old one. For a Job meant to run on each release that is the intent.",
      randomHookName: "Helm creates a hook anew on each run and deletes the previous one of the same name first (before-hook-creation, the default delete policy). Under a new name each time, the previous {{kind}} is never found: one is left behind per upgrade, until someone deletes them.",
      rollAnnotation:
        "Every helm upgrade restarts the pods, even when nothing else changed. That is what a roll annotation (such as rollme: {{ randAlphaNum 5 | quote }}) is for; if the restarts are not meant, this annotation is why.",
      rollAnnotationDeliberate: DELIBERATE_ROLL,
      hashesRandom:
        "The annotation is a checksum, and what it hashes differs between two renders of the same chart and values: a value the chart generates anew (its own finding names it). Every helm upgrade changes the hash and restarts the pods, even when nothing else changed; it stops once that value is kept.",
      revisionAnnotationDeliberate: DELIBERATE_ROLL,
      revisionAnnotation:
        "A probe that raised the revision changed it, so every helm upgrade restarts the pods, even when nothing else changed. That is what a roll annotation is for; if the restarts are not meant, this annotation is why.",
      revisionName: `${REVISION} Every helm upgrade creates the {{kind}} under a new name and deletes the previous one; whatever refers to it by name, or state it holds, does not carry over.`,
      revisionNamePerRelease: `${REVISION} Every helm upgrade creates the {{kind}} under a new name and deletes the previous one, so it runs again on each release.`,
      revisionSelector: `${REVISION} Every helm upgrade changes spec.selector, which is immutable, so every upgrade fails with "{{failure}}".`,
      revisionClaimTemplate: `${REVISION} Every helm upgrade changes spec.volumeClaimTemplates, and fails with "{{failure}}".`,
      revisionJobLabel: `${REVISION} A Job's spec.template is immutable, so every helm upgrade fails with "${JOB_TEMPLATE_IMMUTABLE_ERROR}" while the Job exists.`,
      revisionPodLabel: `${REVISION} Every helm upgrade restarts all pods of the {{kind}}, even when nothing else changed.`,
    },
    why:
      "helm upgrade renders the chart again: a field from randAlphaNum, uuidv4, now or genCA gets a new value on every upgrade. Passwords in Secrets change under the running application, webhook certificates are replaced, and GitOps tools never see the release in sync. An object named with .Release.Revision is deleted and created again on every release. Where the template first reads the object back with `lookup` (generate on install, keep on upgrade), the finding is info: only renders without a cluster connection change the value. An object rendered on install only is deleted by the first upgrade, with its values, unless it is kept (helm.sh/resource-policy: keep) or is a hook, which no upgrade deletes. One certificate written into a Secret and into webhooks' or API services' caBundle is one finding, on the Secret, naming the copies.",
    fix: "Keep generated values across upgrades with `lookup` (reuse the existing Secret's value), or let users pass them in values; issue certificates with cert-manager. A pod annotation that changes on every render (rollme) restarts the pods on every upgrade: keep it only if that is intended.",
    migration:
      "Nothing to migrate: once the chart renders the same fields for the same inputs, the next upgrade writes them one last time. For a Secret, make the chart reuse the value the release already has (lookup) before upgrading, or the upgrade replaces it once more.",
    incident:
      "helm/helm #3053 (stable/redis) and helm/charts #11600 (stable/prestashop): a password generated with randAlphaNum when none was set in values was generated anew by every `helm upgrade`, so the Secret no longer held the password the application had been set up with; charts moved to `lookup` of the existing Secret.",
    helpUri: ruleHelpUri("nondeterministic-render"),
  },
  check(context, report) {
    const fieldFindings: FieldsFinding[] = [];
    for (const object of context.objects) {
      const probes = probesOf(context.probes, object);
      if (probes === undefined || probes.changes.length === 0) continue;
      const otherRandom: FieldChange[] = [];
      for (const change of probes.changes) {
        const primary = change.causes[0];
        if (primary === "random") {
          if (!writtenByUpgrades(object)) continue;
          if (change.section === "name") {
            // A hook is no part of the release: Helm creates it anew each time; deleted once it succeeds, its name is nobody's.
            if (!hookDeletedOnSuccess(object)) report(randomNameFinding(object, change));
          }
          else if (change.section === "pod-annotations") {
            if (restartsNothing(context, object, change)) continue;
            if (!hashKeptOnUpgrade(context, object, change)) report(rollAnnotationFinding(context, object, change, false));
            // Kept, but over an object that carries the chart version: every chart bump restarts the pods (volatile-pod-labels says so).
            else if (!hashesChartVersion(context, object, change)) report(reusedHashFinding(object, change));
          }
          else if (change.section === "other" && !carriesNothing(object, change)) otherRandom.push(change);
          // selector, claim-template and pod-labels: the volatile-* rules report these with cause random.
        } else if (primary === "revision") {
          // An object renamed on every release (or rendered on install only) is never patched: only its name matters.
          if (change.section !== "name" && notPatchedOn(context, object, "revision")) continue;
          const finding = revisionFinding(context, object, change);
          if (finding) report(finding);
        }
      }
      if (otherRandom.length > 0) fieldFindings.push({ finding: randomFieldsFinding(context, object, otherRandom), changes: otherRandom });
    }
    for (const finding of withCertificateCopiesFolded(fieldFindings)) report(finding);
  },
};

interface FieldsFinding {
  finding: FindingInput;
  changes: readonly FieldChange[];
}

/** A certificate or key as text: PEM as written (stringData), or the PEM a base64 field holds (data, caBundle). */
function certificateText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.includes("-----BEGIN") ? value : Buffer.from(value, "base64").toString("latin1");
  return text.includes("-----BEGIN") ? text.trim() : undefined;
}

/**
 * A webhook's or API service's caBundle that holds the same certificate as a Secret's field
 * (one genCA written twice) is the Secret's finding again: it is folded into that finding,
 * which names the copies and relates their objects, when both say the same thing (message
 * and severity). A caBundle with no such Secret keeps its own finding.
 */
function withCertificateCopiesFolded(found: readonly FieldsFinding[]): FindingInput[] {
  const homes = found.filter(({ finding }) => finding.object.ref.kind === "Secret" && finding.object.group === "");
  const copiesOf = new Map<FieldsFinding, FieldsFinding[]>();
  const folded = new Set<FieldsFinding>();
  for (const candidate of found) {
    const bundles = candidate.changes.map((change) => certificateText(change.before));
    if (!candidate.changes.every((change) => formatPath(change.path).endsWith("caBundle")) || bundles.includes(undefined)) continue;
    const home = homes.find(({ finding, changes }) =>
      finding.messageId === candidate.finding.messageId &&
      finding.severity === candidate.finding.severity &&
      bundles.every((bundle) => changes.some((change) => certificateText(change.before) === bundle)));
    if (home === undefined) continue;
    copiesOf.set(home, [...(copiesOf.get(home) ?? []), candidate]);
    folded.add(candidate);
  }
  return found.filter((entry) => !folded.has(entry)).map((entry) => {
    const { finding } = entry;
    const copies = copiesOf.get(entry);
    if (copies === undefined) return finding;
    const where = copies.map(({ finding: copy }) => `${copy.object.ref.kind}/${copy.object.ref.name}`);
    const copyFields = copies.flatMap(({ finding: copy, changes }) => changes.map((change) => `${copy.object.ref.kind}/${copy.object.ref.name} ${formatPath(change.path)}`));
    return {
      ...finding,
      data: { ...finding.data, fields: `${String(finding.data?.fields)} (the same certificate also in ${andList(where)})` },
      related: [...(finding.related ?? []), ...copies.map(({ finding: copy }) => copy.object)],
      evidence: { ...finding.evidence, copies: copyFields },
    };
  });
}

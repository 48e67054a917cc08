import type { FieldPath } from "../../load/yaml.ts";
import {
  annotationsSize,
  byteLength,
  dns1035LabelProblems,
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  formatFieldError,
  jsonTypeName,
  labelValueProblems,
  validateAnnotationMap,
  validateLabelMap,
  validateLabelSelector,
  TOTAL_ANNOTATION_SIZE_LIMIT_B,
  type LabelFieldError,
} from "../../model/label-syntax.ts";
import { formatPath, getPath, isRecord, refString, stringMap, type KubeObject } from "../../model/object.ts";
import type { AnalysisContext } from "../context.ts";
import { type FindingInput, type Rule, manifest, ruleHelpUri } from "../rule.ts";
import { capitalize } from "../messages.ts";

/** What kind of field a group of errors is about, for the wording of the finding. */
type Subject = "label" | "annotation" | "selector" | "name";

/** A field the API server (or, for `later`, the controller's child object) validates. */
interface CheckedField {
  subject: Subject;
  errors: LabelFieldError[];
  /** Set when this object is accepted and a child it creates is rejected instead. */
  later?: string;
}

// Names: k8s-rules.md §1.5–1.7, §1.18, §8 item 12 (StatefulSet DNS label, CronJob ≤52,
// Job ≤63 through its job-name label), Service DNS-1035 label (§9 open point: a relaxed
// rule exists in newer releases), and the kinds whose names are DNS-1123 subdomains.
const SUBDOMAIN_NAMES: Record<string, readonly string[]> = {
  Deployment: ["apps", "extensions"],
  ReplicaSet: ["apps", "extensions"],
  DaemonSet: ["apps", "extensions"],
  ReplicationController: [""],
  Pod: [""],
  ConfigMap: [""],
  Secret: [""],
  ServiceAccount: [""],
  PersistentVolumeClaim: [""],
  Ingress: ["networking.k8s.io", "extensions"],
  NetworkPolicy: ["networking.k8s.io"],
  PodDisruptionBudget: ["policy"],
  HorizontalPodAutoscaler: ["autoscaling"],
  Rollout: ["argoproj.io"],
};
const CRONJOB_NAME_MAX = 52;

function nameErrors(object: KubeObject): LabelFieldError[] {
  if (object.generatedName) return [];
  const { kind, name } = object.ref;
  const path: FieldPath = ["metadata", "name"];
  const invalid = (detail: string, apiField = "metadata.name"): LabelFieldError => ({ apiField, type: "Invalid value", value: name, detail, path });
  const is = (k: string, group: string) => kind === k && object.group === group;
  if (is("Service", "")) return dns1035LabelProblems(name).map((d) => invalid(d));
  if (is("StatefulSet", "apps")) return dns1123LabelProblems(name).map((d) => invalid(d));
  if (is("CronJob", "batch")) {
    const errors = dns1123SubdomainProblems(name).map((d) => invalid(d));
    if (byteLength(name) > CRONJOB_NAME_MAX) errors.push(invalid(`must be no more than ${CRONJOB_NAME_MAX} characters`));
    return errors;
  }
  if (is("Job", "batch")) {
    const errors = dns1123SubdomainProblems(name).map((d) => invalid(d));
    // Without manualSelector the API server copies the name into the job-name labels.
    if (errors.length === 0 && getPath(object.raw, ["spec", "manualSelector"]) !== true) {
      for (const detail of labelValueProblems(name)) errors.push(invalid(detail, "spec.template.labels"));
    }
    return errors;
  }
  if (SUBDOMAIN_NAMES[kind]?.includes(object.group)) return dns1123SubdomainProblems(name).map((d) => invalid(d));
  return [];
}

function apiPath(path: FieldPath, last: string): string {
  // ObjectMeta is inlined in the Go types: `spec.template.metadata.labels` is `spec.template.labels`.
  return path.length === 0 ? `metadata.${last}` : `${formatPath(path)}.${last}`;
}

/** Every label-like field of one object that the API server validates. */
function checkedFields(object: KubeObject, context: AnalysisContext): CheckedField[] {
  const fields: CheckedField[] = [];
  const raw = object.raw;
  const { kind } = object.ref;
  fields.push({ subject: "name", errors: nameErrors(object) });
  fields.push({ subject: "label", errors: validateLabelMap(getPath(raw, ["metadata", "labels"]), ["metadata", "labels"]) });
  fields.push({ subject: "annotation", errors: validateAnnotationMap(getPath(raw, ["metadata", "annotations"]), ["metadata", "annotations"]) });

  const workload = context.workloadFor(object);
  const rollout = kind === "Rollout";
  const later = rollout
    ? "the ReplicaSet Argo Rollouts creates from this Rollout"
    : workload?.generic
      ? `every pod the ${kind} controller creates`
      : undefined;
  if (workload && workload.templatePath.length > 0) {
    const template = workload.templatePath;
    for (const [subject, field] of [["label", "labels"], ["annotation", "annotations"]] as const) {
      const at = [...template, "metadata", field];
      const options = { apiField: apiPath(template, field) };
      const errors = subject === "label" ? validateLabelMap(getPath(raw, at), at, options) : validateAnnotationMap(getPath(raw, at), at, options);
      fields.push({ subject, errors, ...(later ? { later } : {}) });
    }
  }
  if (kind === "CronJob" && object.group === "batch") {
    // Not validated on the CronJob; the controller copies it onto every Job it creates.
    const jobLater = "every Job this CronJob creates";
    const base: FieldPath = ["spec", "jobTemplate", "metadata"];
    fields.push({ subject: "label", errors: validateLabelMap(getPath(raw, [...base, "labels"]), [...base, "labels"], { apiField: "metadata.labels" }), later: jobLater });
    fields.push({
      subject: "annotation",
      errors: validateAnnotationMap(getPath(raw, [...base, "annotations"]), [...base, "annotations"], { apiField: "metadata.annotations" }),
      later: jobLater,
    });
  }
  // A custom resource's selector is checked by its CRD schema and controller, not as a LabelSelector here.
  if (workload?.selectorPath && !workload.generic) {
    const path = workload.selectorPath;
    const selector = getPath(raw, path);
    const errors =
      kind === "ReplicationController"
        ? validateLabelMap(selector, path, { goStruct: "ReplicationControllerSpec" })
        : validateLabelSelector(selector, path, { goStruct: `${kind}Spec` });
    fields.push({ subject: "selector", errors, ...(later ? { later } : {}) });
  }
  if (kind === "Service" && object.group === "") {
    const path = ["spec", "selector"];
    fields.push({ subject: "selector", errors: validateLabelMap(getPath(raw, path), path, { goStruct: "ServiceSpec" }) });
  }
  if (kind === "PodDisruptionBudget" && object.group === "policy") {
    const path = ["spec", "selector"];
    fields.push({ subject: "selector", errors: validateLabelSelector(getPath(raw, path), path, { goStruct: "PodDisruptionBudgetSpec" }) });
  }
  if (kind === "NetworkPolicy" && object.group === "networking.k8s.io") {
    const path = ["spec", "podSelector"];
    fields.push({ subject: "selector", errors: validateLabelSelector(getPath(raw, path), path, { goStruct: "NetworkPolicySpec" }) });
  }
  return fields;
}

const NOUN: Record<Subject, string> = { label: "label", annotation: "annotation", selector: "selector entry", name: "name" };

/** Builds one finding from the errors that point at one place (a key, a map, a name). */
function invalidLabelFinding(object: KubeObject, subject: Subject, errors: readonly LabelFieldError[], later?: string): FindingInput {
  const first = errors[0]!;
  const path = first.path;
  const where = formatPath(path);
  const apiErrors = errors.map(formatFieldError);
  const quoted = apiErrors.map((e) => `"${e}"`).join(" and ");
  const decode = errors.some((e) => e.type === "Decode");
  const key = first.key;
  const rawValue = getPath(object.raw, path);
  const ref = refString(object.ref);
  let what: string;
  let fix: string;
  if (subject === "name") {
    what = `the name "${object.ref.name}" is not valid for a ${object.ref.kind}`;
    fix = nameFix(object, errors);
  } else if (first.type === "Too long") {
    const size = isRecord(rawValue) ? annotationsSize(stringMap(rawValue)) : 0;
    what = `the annotations at ${where} add up to ${size} bytes (keys plus values), over the ${TOTAL_ANNOTATION_SIZE_LIMIT_B}-byte limit`;
    fix = valueFix(errors, undefined);
  } else if (decode && key === undefined) {
    const shape = Array.isArray(rawValue) ? "a list" : `a ${jsonTypeName(rawValue)}`;
    what = `${where} is ${shape}, but it must be a map of string keys to string values`;
    fix = `Write ${where} as a map (one "key: value" per line), not as a list of "- key: value" items or a single string.`;
  } else if (decode) {
    const type = typeof rawValue === "boolean" ? "boolean" : typeof rawValue === "number" ? "number" : jsonTypeName(rawValue);
    const shown = typeof rawValue === "boolean" || typeof rawValue === "number" ? String(rawValue) : JSON.stringify(rawValue);
    what = `the ${NOUN[subject]} ${key} has the ${type} value ${shown}, but label values must be strings`;
    fix =
      typeof rawValue === "number"
        ? `Quote the value as the text you mean (${key}: "..."), or render it with | quote. YAML has already turned it into the number ${shown}: an unquoted 1.10 becomes 1.1, 1e3 becomes 1000.`
        : typeof rawValue === "boolean"
          ? `Quote the value (${key}: "${shown}"), or render it with | quote. Unquoted, YAML reads true/false, yes/no, on/off and y/n as booleans.`
          : `Give ${key} a plain string value.`;
    const keyErrors = errors.filter((e) => e.type !== "Decode");
    if (keyErrors.length > 0) fix += ` The key is invalid too. ${valueFix(keyErrors, undefined)}`;
  } else {
    what = `the ${NOUN[subject]} ${key ?? where} is invalid`;
    fix = valueFix(errors, first.value);
  }
  const consequence = later
    ? `${ref} itself is accepted, but ${later} is rejected with ${quoted}`
    : decode
      ? `the object cannot be decoded (${quoted}), so helm install/upgrade fails`
      : `the API server rejects ${ref} with ${quoted}, so helm install/upgrade fails`;
  return {
    object,
    path,
    message: `${ref}: ${what}. ${capitalize(consequence)}.`,
    evidence: {
      ...(key === undefined ? {} : { key }),
      ...(rawValue === undefined || isRecord(rawValue) ? {} : { value: rawValue }),
      errors: apiErrors,
    },
    remedy: { text: fix },
  };
}

function nameFix(object: KubeObject, errors: readonly LabelFieldError[]): string {
  const { kind } = object.ref;
  const limit =
    kind === "CronJob" ? 52 : kind === "StatefulSet" || kind === "Service" || errors.some((e) => e.apiField === "spec.template.labels") ? 63 : 253;
  const shape =
    kind === "Service"
      ? "lowercase letters, digits and '-', starting with a letter"
      : kind === "StatefulSet"
        ? "lowercase letters, digits and '-' (no dots)"
        : "lowercase letters, digits, '-' and '.'";
  const why =
    kind === "CronJob"
      ? " (the controller appends an 11-character suffix to name its Jobs)"
      : kind === "Job"
        ? " (the API server copies the name into the job-name labels, which are limited to 63 characters)"
        : "";
  return (
    `Use a name of at most ${limit} characters made of ${shape}${why}. Names built from the release name usually go through a fullname helper: ` +
    `truncate there (e.g. | trunc ${limit} | trimSuffix "-") or set fullnameOverride.`
  );
}

function valueFix(errors: readonly LabelFieldError[], value: string | undefined): string {
  const tips: string[] = [];
  const details = errors.map((e) => e.detail).join(" ");
  if (errors.some((e) => e.type === "Too long")) {
    return "Keep the sum of annotation keys and values on one object under 256 KiB: move large content (dashboards, configs, certificates) into a ConfigMap or Secret and reference it.";
  }
  if (errors.some((e) => e.apiField.endsWith(".operator"))) tips.push("Use one of the operators In, NotIn, Exists, DoesNotExist (Gt/Lt exist only in node selectors).");
  if (errors.some((e) => e.type === "Required value")) tips.push("Give In/NotIn at least one value, or use Exists/DoesNotExist.");
  if (errors.some((e) => e.type === "Forbidden")) tips.push("Drop values from Exists/DoesNotExist, or use In/NotIn.");
  if (/must be no more than 63 characters/.test(details)) tips.push('Keep label keys (the part after the "/") and values at 63 characters or fewer, e.g. | trunc 63 | trimSuffix "-".');
  if (value !== undefined && value.includes("+")) tips.push('Replace "+" (semver build metadata) with "_", as Helm\'s scaffold does for helm.sh/chart: | replace "+" "_".');
  if (value !== undefined && /[:@]/.test(value)) tips.push("An image reference or digest is not a label value: use only the tag, with ':' and '@' removed, or put it in an annotation.");
  if (/prefix part/.test(details)) tips.push("The prefix (before the \"/\") must be a lowercase DNS subdomain such as example.com.");
  if (tips.length === 0 || /regex used for validation/.test(details)) {
    tips.push("Label keys are [prefix/]name; names and values use only letters, digits, '-', '_' and '.', and start and end with a letter or digit (values may also be empty).");
  }
  return [...new Set(tips)].join(" ");
}

/**
 * Label keys and values, annotation keys and sizes, selectors and object names that the
 * API server refuses (k8s-rules.md §1.5–1.7, §1.18, §2.1, §2.2, §8 item 12).
 */
export const invalidLabel: Rule = {
  meta: {
    id: "invalid-label",
    severity: "error",
    summary: "Label keys/values, annotations, selectors or object names that the API server rejects.",
    why:
      "The API server validates labels, annotations, selectors and names on every create and update: one invalid label value (a '+' from semver build metadata, a ':' from an image reference, more than 63 characters from a long release name, an unquoted true or 1.10) makes the whole helm install or upgrade fail.",
    fix: "Quote label values, sanitize version-derived values (replace \"+\" \"_\"), truncate names and values (trunc 63), and write labels as a map of strings.",
    migration:
      "Nothing is deployed when the API server rejects the object: fix the chart and install or upgrade again. If the invalid value sits in a selector of a deployed workload, the fix is a selector change (see volatile-selector for the orphan-delete migration).",
    incident:
      "apache/superset #14032: a SemVer 2 chart version with build metadata (`2021.13.1-79+44068e96a`) rendered into a label made the install fail with `metadata.labels: Invalid value: ... a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`; loft-sh/vcluster #3204 hit the same with Flux, which appends a digest after `+` to chart versions.",
    example: {
      bad: manifest`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-config
          labels:
            app.kubernetes.io/name: web
            app.kubernetes.io/version: 2.1.0+build.7
        data:
          mode: production
      `,
      good: manifest`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-config
          labels:
            app.kubernetes.io/name: web
            app.kubernetes.io/version: 2.1.0_build.7
        data:
          mode: production
      `,
    },
    helpUri: ruleHelpUri("invalid-label"),
  },
  check(context, report) {
    for (const object of context.objects) {
      for (const field of checkedFields(object, context)) {
        if (field.errors.length === 0) continue;
        const byPath = new Map<string, LabelFieldError[]>();
        for (const error of field.errors) {
          const key = formatPath(error.path);
          const list = byPath.get(key);
          if (list) list.push(error);
          else byPath.set(key, [error]);
        }
        for (const errors of byPath.values()) report(invalidLabelFinding(object, field.subject, errors, field.later));
      }
    }
  },
};

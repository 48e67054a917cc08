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
import { andList } from "../messages.ts";
import { type FindingInput, type Rule, ruleHelpUri } from "../rule.ts";

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

/** The errors of one field of one object that point at one place (a key, a map, a name). */
interface FieldProblem {
  object: KubeObject;
  subject: Subject;
  errors: readonly LabelFieldError[];
  later?: string;
}

/** The API server's errors as a message quotes them. */
function quotedErrors(errors: readonly LabelFieldError[]): string {
  return errors.map((e) => `"${formatFieldError(e)}"`).join(" and ");
}

/** One finding for one problem: the message id that says what is wrong, its facts, and the specific fix. */
function problemFinding({ object, subject, errors, later }: FieldProblem): FindingInput {
  const first = errors[0]!;
  const path = first.path;
  const where = formatPath(path);
  const decode = errors.some((e) => e.type === "Decode");
  const key = first.key;
  const rawValue = getPath(object.raw, path);
  const common = { object: refString(object.ref), errors: quotedErrors(errors), noun: NOUN[subject] };
  const finding = (messageId: string, data: Record<string, string | number>, fix: string): FindingInput => ({
    object,
    path,
    messageId: later === undefined ? messageId : "rejectedLater",
    data: later === undefined ? { ...common, ...data } : { ...common, field: key ?? where, later },
    evidence: {
      ...(key === undefined ? {} : { key }),
      ...(rawValue === undefined || isRecord(rawValue) ? {} : { value: rawValue }),
      errors: errors.map(formatFieldError),
    },
    remedy: { text: fix },
  });
  if (subject === "name") return finding("invalidName", { name: object.ref.name, kind: object.ref.kind }, nameFix(object, errors));
  if (first.type === "Too long") {
    const size = isRecord(rawValue) ? annotationsSize(stringMap(rawValue)) : 0;
    return finding("tooLarge", { path: where, size, limit: TOTAL_ANNOTATION_SIZE_LIMIT_B }, valueFix(errors, undefined));
  }
  if (decode && key === undefined) {
    const shape = Array.isArray(rawValue) ? "a list" : `a ${jsonTypeName(rawValue)}`;
    return finding("notAMap", { path: where, shape }, `Write ${where} as a map (one "key: value" per line), not as a list of "- key: value" items or a single string.`);
  }
  if (decode) {
    const type = typeof rawValue === "boolean" ? "boolean" : typeof rawValue === "number" ? "number" : jsonTypeName(rawValue);
    const shown = typeof rawValue === "boolean" || typeof rawValue === "number" ? String(rawValue) : JSON.stringify(rawValue);
    let fix =
      typeof rawValue === "number"
        ? `Quote the value as the text you mean (${key}: "..."), or render it with | quote. YAML has already turned it into the number ${shown}: an unquoted 1.10 becomes 1.1, 1e3 becomes 1000.`
        : typeof rawValue === "boolean"
          ? `Quote the value (${key}: "${shown}"), or render it with | quote. Unquoted, YAML reads true/false, yes/no, on/off and y/n as booleans.`
          : `Give ${key} a plain string value.`;
    const keyErrors = errors.filter((e) => e.type !== "Decode");
    if (keyErrors.length > 0) fix += ` The key is invalid too. ${valueFix(keyErrors, undefined)}`;
    return finding("notAString", { key: key ?? where, type, value: shown }, fix);
  }
  // A selector requirement's operator or its values list, not one label key or value.
  if (key === undefined || first.type !== "Invalid value" || path[path.length - 1] === "operator") {
    return finding("invalidField", { field: where, detail: first.detail }, valueFix(errors, first.value));
  }
  if (first.value === key) return finding("invalidKey", { key }, valueFix(errors, first.value));
  return finding("invalidValue", { key, value: first.value ?? "" }, valueFix(errors, first.value));
}

/**
 * The root value that makes a name or label value invalid, when one does: the parts of
 * the value (between '-' and, in names, '.') that hold characters the field does not
 * allow. An uppercase chart name (`CHART-TEMPLATE`) makes every name built from it
 * invalid; a '+' in the chart version every label value that carries it. Problems that
 * share a root in one chart or file are one problem.
 */
function rootOf(problem: FieldProblem): { kind: "name" | "labelValue"; root: string } | undefined {
  const { subject, errors, later } = problem;
  if (later !== undefined || errors.some((e) => e.type !== "Invalid value")) return undefined;
  const value = errors[0]!.value;
  if (value === undefined || errors.some((e) => e.value !== value)) return undefined;
  if (subject === "name") {
    const parts = value.split(/[-.]/).filter((part) => /[^a-z0-9]/.test(part));
    return parts.length === 0 ? undefined : { kind: "name", root: parts.join("-") };
  }
  if (subject === "label" && value !== errors[0]!.key) {
    const parts = value.split("-").filter((part) => /[^A-Za-z0-9_.]/.test(part));
    return parts.length === 0 ? undefined : { kind: "labelValue", root: parts.join("-") };
  }
  return undefined;
}

const EDGE_SEPARATORS = /^[-_.]+|[-_.]+$/g;

/**
 * For a chart's render: a name or label value whose only fault is a separator at its start or
 * end (`linkerd-service-mirror-`), valid without it. That is what a template makes of an empty
 * value (`prefix-{{ .Values.cluster }}`): a value the chart expects the user to set, not a
 * fault of the chart's labels. Undefined for anything else.
 */
function emptyPart(problem: FieldProblem): string | undefined {
  const { object, subject, errors, later } = problem;
  if (object.doc.release === undefined || later !== undefined || errors.some((e) => e.type !== "Invalid value")) return undefined;
  const value = errors[0]!.value;
  if (value === undefined || errors.some((e) => e.value !== value)) return undefined;
  const trimmed = value.replace(EDGE_SEPARATORS, "");
  if (trimmed === value || trimmed === "") return undefined;
  if (subject === "name") return nameErrors({ ...object, ref: { ...object.ref, name: trimmed } }).length === 0 ? value : undefined;
  if (subject === "label" && value !== errors[0]!.key) return labelValueProblems(trimmed).length === 0 ? value : undefined;
  return undefined;
}

/** One finding per chart for its values with an empty part (emptyPart): a value to set, said once. */
function emptyPartFinding(problems: readonly FieldProblem[]): FindingInput {
  const [first] = problems as [FieldProblem, ...FieldProblem[]];
  const error = first.errors[0]!;
  const values = [...new Set(problems.map((p) => p.errors[0]!.value!))];
  const objects = [...new Set(problems.map((p) => p.object))];
  return {
    object: first.object,
    path: error.path,
    severity: "info",
    messageId: problems.length === 1 ? "emptyPart" : "emptyParts",
    data: {
      value: error.value ?? "",
      more: problems.length - 1,
      objects: andList(objects.map((o) => refString(o.ref))),
      errors: quotedErrors(first.errors),
    },
    related: objects.slice(1),
    evidence: { values, objects: problems.map((p) => `${refString(p.object.ref)} ${formatPath(p.errors[0]!.path)}`) },
    remedy: {
      text: "Set the value these names and labels are built from (it is empty with these values). In the chart, make it required ({{ required \"<value> is required\" .Values.<value> }}) so that helm names it instead of the API server refusing the objects.",
    },
  };
}

/** One finding for problems that share a root value: on the first object, listing every one. */
function rootFinding(kind: "name" | "labelValue", root: string, problems: readonly FieldProblem[]): FindingInput {
  const [first] = problems as [FieldProblem, ...FieldProblem[]];
  const error = first.errors[0]!;
  const objects = problems.map((p) => ({ object: refString(p.object.ref), path: formatPath(p.errors[0]!.path), value: p.errors[0]!.value! }));
  const data = {
    root,
    more: problems.length - 1,
    count: problems.length,
    objects: andList(objects.map((o) => o.object)),
    errors: quotedErrors(first.errors),
  };
  return {
    object: first.object,
    path: error.path,
    ...(kind === "name"
      ? { messageId: "invalidNames", data: { ...data, name: first.object.ref.name } }
      : { messageId: "invalidLabelValues", data: { ...data, key: error.key ?? "", value: error.value ?? "" } }),
    related: problems.slice(1).map((p) => p.object),
    evidence: { root, count: problems.length, objects, errors: first.errors.map(formatFieldError) },
    remedy: { text: kind === "name" ? nameFix(first.object, first.errors) : valueFix(first.errors, error.value) },
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
 * A `${NAME}` placeholder: the value is filled in after this render, by the release process
 * before `helm package` (envsubst, a Makefile) or by the deploy tool after it (Flux's postBuild
 * substitution), so it says nothing about the value the API server will see.
 */
const SUBSTITUTED_LATER = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/;

const REJECTED = "The API server rejects {{object}} with {{errors}}, so helm install/upgrade fails.";
const EMPTY_PART =
  "The API server rejects {{objects}} ({{errors}} for the first), so helm install fails with these values. A name or label value that begins or ends with '-', '_' or '.' and is valid without it is what a template makes of an empty value (prefix-{{ .Values.x }}): a value the chart expects to be set, not a fault of its names or labels. Nothing fails once it is set.";
const UNDECODABLE = "The API server cannot decode {{object}} ({{errors}}), so helm install/upgrade fails.";

/**
 * Label keys and values, annotation keys and sizes, selectors and object names that the
 * API server refuses (k8s-rules.md §1.5–1.7, §1.18, §2.1, §2.2, §8 item 12).
 */
export const invalidLabel: Rule = {
  meta: {
    id: "invalid-label",
    severity: "error",
    summary: "Label keys/values, annotations, selectors or object names that the API server rejects.",
    messages: {
      invalidName: "name \"{{name}}\" is not valid for a {{kind}}",
      invalidNames: "name \"{{name}}\" and {{more}} more object names carry \"{{root}}\", invalid in a name",
      tooLarge: "annotations at {{path}} add up to {{size}} bytes, over the {{limit}}-byte limit",
      notAMap: "{{path}} is {{shape}}, not a map of string keys to string values",
      notAString: "{{noun}} {{key}} has the {{type}} value {{value}}: label values must be strings",
      invalidKey: "{{noun}} key {{key}} is invalid",
      invalidValue: "{{noun}} {{key}} has the invalid value \"{{value}}\"",
      invalidLabelValues: "label {{key}}=\"{{value}}\" and {{more}} more label values carry \"{{root}}\", invalid in a label value",
      invalidField: "{{field}}: {{detail}}",
      emptyPart: "\"{{value}}\" begins or ends with a separator: a value it is built from is empty with these values",
      emptyParts: "\"{{value}}\" and {{more}} more names or label values begin or end with a separator: a value they are built from is empty with these values",
      rejectedLater: "{{noun}} {{field}} is invalid in {{later}}",
    },
    details: {
      invalidName: REJECTED,
      invalidNames:
        "Every object whose name carries \"{{root}}\" is rejected, so helm install/upgrade fails: {{objects}} ({{count}} objects). The API server answers {{errors}} for the first. The names usually come from the chart or release name through a fullname helper: fix it there once.",
      tooLarge: REJECTED,
      notAMap: UNDECODABLE,
      notAString: UNDECODABLE,
      invalidKey: REJECTED,
      invalidValue: REJECTED,
      invalidLabelValues:
        "Every object whose labels carry \"{{root}}\" is rejected, so helm install/upgrade fails: {{objects}} ({{count}} objects). The API server answers {{errors}} for the first. The value usually comes from one place (the chart version, an image reference, a values key): fix it there once.",
      invalidField: REJECTED,
      emptyPart: EMPTY_PART,
      emptyParts: EMPTY_PART,
      rejectedLater: "{{object}} itself is accepted, but {{later}} is rejected with {{errors}}.",
    },
    why:
      "The API server validates labels, annotations, selectors and names on every create and update: one invalid label value (a '+' from semver build metadata, a ':' from an image reference, more than 63 characters from a long release name, an unquoted true or 1.10) makes the whole helm install or upgrade fail.",
    fix: "Quote label values, sanitize version-derived values (replace \"+\" \"_\"), truncate names and values (trunc 63), and write labels as a map of strings.",
    migration:
      "Nothing is deployed when the API server rejects the object: fix the chart and install or upgrade again. If the invalid value sits in a selector of a deployed workload, the fix is a selector change (see volatile-selector for the orphan-delete migration).",
    incident:
      "apache/superset #14032: a SemVer 2 chart version with build metadata (`2021.13.1-79+44068e96a`) rendered into a label made the install fail with `metadata.labels: Invalid value: ... a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`; loft-sh/vcluster #3204 hit the same with Flux, which appends a digest after `+` to chart versions.",
    helpUri: ruleHelpUri("invalid-label"),
  },
  check(context, report) {
    const problems: FieldProblem[] = [];
    for (const object of context.objects) {
      for (const field of checkedFields(object, context)) {
        if (field.errors.length === 0) continue; // nearly every field: no map for it
        const byPath = new Map<string, LabelFieldError[]>();
        for (const error of field.errors) {
          if (error.value !== undefined && SUBSTITUTED_LATER.test(error.value)) continue;
          const key = formatPath(error.path);
          const list = byPath.get(key);
          if (list) list.push(error);
          else byPath.set(key, [error]);
        }
        for (const errors of byPath.values()) problems.push({ object, subject: field.subject, errors, ...(field.later ? { later: field.later } : {}) });
      }
    }
    // Values with an empty part: one finding per chart, at info (a value to set).
    const emptyParts = new Map<string, FieldProblem[]>();
    for (const problem of problems) {
      if (emptyPart(problem) === undefined) continue;
      const chart = problem.object.doc.release!.chart ?? problem.object.doc.file;
      const list = emptyParts.get(chart);
      if (list) list.push(problem);
      else emptyParts.set(chart, [problem]);
    }
    for (const list of emptyParts.values()) report(emptyPartFinding(list));
    const reported = new Set([...emptyParts.values()].flat());
    // One finding per root value per chart (or manifest file), reported where it first appears.
    const byRoot = new Map<string, FieldProblem[]>();
    const roots = new Map<FieldProblem, string>();
    for (const problem of problems) {
      if (reported.has(problem)) continue;
      const found = rootOf(problem);
      if (found === undefined) continue;
      const { doc } = problem.object;
      const key = [doc.release?.chart ?? doc.file, found.kind, found.root].join("\u0000");
      roots.set(problem, key);
      const list = byRoot.get(key);
      if (list) list.push(problem);
      else byRoot.set(key, [problem]);
    }
    for (const problem of problems) {
      if (reported.has(problem)) continue;
      const key = roots.get(problem);
      const shared = key === undefined ? undefined : byRoot.get(key)!;
      if (shared === undefined || shared.length === 1) report(problemFinding(problem));
      else if (shared[0] === problem) report(rootFinding(rootOf(problem)!.kind, rootOf(problem)!.root, shared));
    }
  },
};

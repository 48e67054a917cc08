/**
 * Label, annotation and object-name syntax exactly as the API server checks it
 * (k8s-rules.md §2.1, §2.2; apimachinery `pkg/util/validation` ≤v0.34, `content/` ≥v0.35).
 *
 * Each `...Problems` function returns the API server's own detail messages, in the order
 * the Go code produces them, and `[]` for a valid input. The messages use the ≤1.34
 * wording (`must be no more than 63 characters`; 1.35+ says `bytes`). Lengths are counted
 * in UTF-8 bytes as Go's `len` does; the regexes only admit ASCII, so for a string that
 * passes them bytes and characters are the same.
 *
 * Pure and dependency-free: the invalid-label rule builds on it, and fuzz tests compare it
 * with a reference implementation.
 */
import type { FieldPath } from "../load/yaml.ts";
import { formatPath, isRecord } from "./object.ts";

// --- the Go format strings, printed verbatim in the messages -------------------------

export const QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
export const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
export const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
export const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
export const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";

export const QUALIFIED_NAME_MAX_LENGTH = 63;
export const LABEL_VALUE_MAX_LENGTH = 63;
export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const DNS1035_LABEL_MAX_LENGTH = 63;
/** `TotalAnnotationSizeLimitB`: sum of len(key)+len(value) over one object's annotations. */
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

const QUALIFIED_NAME_ERR_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_ERR_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_ERR_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_ERR_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_ERR_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);

/** Go's `len(s)`: the UTF-8 byte length. */
export function byteLength(value: string): number {
  // Label keys and values are short and nearly always ASCII: count them without a call into C++.
  if (value.length <= 256) {
    let ascii = true;
    for (let i = 0; i < value.length && ascii; i++) ascii = value.charCodeAt(i) < 128;
    if (ascii) return value.length;
  }
  return Buffer.byteLength(value, "utf8");
}

/** `validation.MaxLenError` (≤1.34 wording). */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** `validation.EmptyError`. */
export function emptyError(): string {
  return "must be non-empty";
}

/** `validation.RegexError`: note the `', ` + ` or ` join, which prints two spaces. */
export function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  let out = `${message} (e.g. `;
  examples.forEach((example, i) => {
    if (i > 0) out += " or ";
    out += `'${example}', `;
  });
  return `${out}regex used for validation is '${format}')`;
}

// --- validators -------------------------------------------------------------------------

/** `IsDNS1123Label` (StatefulSet and Namespace names). */
export function dns1123LabelProblems(value: string): string[] {
  const problems: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) problems.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL_RE.test(value)) {
    // A valid subdomain that is not a valid label: the length is already reported, so it has dots.
    if (DNS1123_SUBDOMAIN_RE.test(value)) problems.push("must not contain dots");
    else problems.push(regexError(DNS1123_LABEL_ERR_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"));
  }
  return problems;
}

/** `IsDNS1123Subdomain` (most object names, label-key prefixes). */
export function dns1123SubdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) problems.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) problems.push(regexError(DNS1123_SUBDOMAIN_ERR_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
  return problems;
}

/** `IsDNS1035Label` (Service names). */
export function dns1035LabelProblems(value: string): string[] {
  const problems: string[] = [];
  if (byteLength(value) > DNS1035_LABEL_MAX_LENGTH) problems.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!DNS1035_LABEL_RE.test(value)) problems.push(regexError(DNS1035_LABEL_ERR_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"));
  return problems;
}

/** `IsQualifiedName` (≤1.34) / `IsLabelKey` (≥1.35): a label key, `[prefix/]name`. */
export function labelKeyProblems(key: string): readonly string[] {
  if (validLabelKeys.has(key)) return NO_PROBLEMS;
  const problems = computeLabelKeyProblems(key);
  if (problems.length === 0) validLabelKeys.add(key);
  return problems;
}

function computeLabelKeyProblems(key: string): string[] {
  const problems: string[] = [];
  const parts = key.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) problems.push(`prefix part ${emptyError()}`);
    else for (const message of dns1123SubdomainProblems(prefix)) problems.push(`prefix part ${message}`);
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) problems.push(`name part ${emptyError()}`);
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) problems.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (!QUALIFIED_NAME_RE.test(name)) {
    problems.push(`name part ${regexError(QUALIFIED_NAME_ERR_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}`);
  }
  return problems;
}

/** `IsValidLabelValue`: empty, or ≤63 and the name regex. */
export function labelValueProblems(value: string): readonly string[] {
  if (isPlainLabelValue(value)) return NO_PROBLEMS;
  const problems: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) problems.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE_RE.test(value)) problems.push(regexError(LABEL_VALUE_ERR_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return problems;
}

/**
 * LABEL_VALUE_RE and the length limit as one loop over the characters: values are mostly
 * distinct strings (a release name, a version), so a set of known-valid ones would hash
 * each of them once anyway. A false answer is not an error: the regex then decides.
 */
function isPlainLabelValue(value: string): boolean {
  const length = value.length;
  if (length === 0) return true;
  if (length > LABEL_VALUE_MAX_LENGTH || !isAlphanumeric(value.charCodeAt(0)) || !isAlphanumeric(value.charCodeAt(length - 1))) return false;
  for (let i = 1; i < length - 1; i++) {
    const c = value.charCodeAt(i);
    if (!(isAlphanumeric(c) || c === 45 /* - */ || c === 95 /* _ */ || c === 46 /* . */)) return false;
  }
  return true;
}

function isAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Strings already found valid: every object repeats the same label and annotation keys,
 * so each is validated once per run (bounded, so that a huge input cannot grow it forever).
 */
class KnownValid {
  private readonly strings = new Set<string>();
  has(value: string): boolean {
    return this.strings.has(value);
  }
  add(value: string): void {
    if (this.strings.size >= 65_536) this.strings.clear();
    this.strings.add(value);
  }
}

/** What a known-valid string has: shared, so that the common case allocates nothing. */
const NO_PROBLEMS: readonly string[] = Object.freeze([]);

const validLabelKeys = new KnownValid();
const validAnnotationKeys = new KnownValid();

/**
 * Go's `strings.ToLower`: rune by rune with the simple case mapping, so `İ` (U+0130)
 * becomes `i` and `Σ` always `σ` (JavaScript's full mapping would give `i̇` and, at a word
 * end, `ς`).
 */
export function goToLower(value: string): string {
  let out = "";
  for (const char of value) {
    if (char === "\u0130") {
      out += "i";
      continue;
    }
    const lower = char.toLowerCase();
    out += [...lower].length === 1 ? lower : char;
  }
  return out;
}

/** Annotation keys follow the label-key rule after lowercasing (`ValidateAnnotations`). */
export function annotationKeyProblems(key: string): readonly string[] {
  if (validAnnotationKeys.has(key)) return NO_PROBLEMS;
  const problems = labelKeyProblems(goToLower(key));
  if (problems.length === 0) validAnnotationKeys.add(key);
  return problems;
}

/** Total size of an annotation map as `ValidateAnnotationsSize` counts it (bytes). */
export function annotationsSize(annotations: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const key in annotations) total += byteLength(key) + byteLength(annotations[key]!);
  return total;
}

/** `metadata.annotations: Too long: must have at most 262144 bytes` (≥1.35: `may not be more than ...`). */
export function annotationsSizeProblem(annotations: Readonly<Record<string, string>>): string | undefined {
  return sizeProblem(annotationsSize(annotations));
}

function sizeProblem(bytes: number): string | undefined {
  return bytes > TOTAL_ANNOTATION_SIZE_LIMIT_B ? `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT_B} bytes` : undefined;
}

// --- structured validation of whole fields ----------------------------------------------

/** The API error types these fields produce; `Decode` is a JSON decoding error (wrong YAML type). */
export type FieldErrorType = "Invalid value" | "Required value" | "Forbidden" | "Too long" | "Decode";

/** One API error, with where in the manifest it points. */
export interface LabelFieldError {
  /** The field the API server names (`spec.template.labels`, `spec.selector.matchExpressions[0].values`). */
  apiField: string;
  type: FieldErrorType;
  /** The bad value the API server prints (a key or a value), when it prints one. */
  value?: string;
  /** The detail; for `Decode` the whole `json: cannot unmarshal ...` message. */
  detail: string;
  /** Where the problem sits in the manifest: the key's own line. */
  path: FieldPath;
  /** The label or annotation key (or selector key) the error is about. */
  key?: string;
}

/** `<field>: <Type>[: <value>]: <detail>`, as `field.Error.Error()` prints it (≤1.33 value quoting). */
export function formatFieldError(error: LabelFieldError): string {
  if (error.type === "Decode") return error.detail;
  const value = error.value === undefined ? "" : `: ${JSON.stringify(error.value)}`;
  return `${error.apiField}: ${error.type}${value}: ${error.detail}`;
}

/** The JSON type name Go prints for a decoded YAML value (`cannot unmarshal <type> into ...`). */
export function jsonTypeName(value: unknown): string {
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "array";
  if (value === null || value === undefined) return "null";
  return "object";
}

/**
 * encoding/json's `UnmarshalTypeError` text: the innermost Go struct, then the JSON field
 * path from the object's root without list indices.
 */
function decodeError(
  value: unknown,
  goStruct: string,
  field: FieldPath,
  goType: string,
  apiField: string,
  at: FieldPath = field,
  key?: string,
): LabelFieldError {
  const jsonPath = field.filter((segment): segment is string => typeof segment === "string").join(".");
  return {
    apiField,
    type: "Decode",
    detail: `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${goStruct}.${jsonPath} of type ${goType}`,
    path: at,
    ...(key === undefined ? {} : { key }),
  };
}

export interface FieldOptions {
  /** The API path of the field when it differs from the manifest path (pod template: `spec.template.labels`). */
  apiField?: string;
  /** The Go struct that holds the field, for decode errors (default `ObjectMeta`). */
  goStruct?: string;
}

/**
 * A `map[string]string` field (labels, a Service or ReplicationController selector,
 * matchLabels), as `ValidateLabels` checks it. A non-map and non-string values fail to
 * decode before any validation (null decodes to "").
 */
export function validateLabelMap(raw: unknown, path: FieldPath, options: FieldOptions = {}): LabelFieldError[] {
  if (raw === null || raw === undefined) return [];
  // Named only when there is an error: nearly every map is valid, and every object has some.
  const field = () => options.apiField ?? formatPath(path);
  const goStruct = options.goStruct ?? "ObjectMeta";
  if (!isRecord(raw)) return [decodeError(raw, goStruct, path, "map[string]string", field())];
  const errors: LabelFieldError[] = [];
  // for...in, not Object.entries: every object has label maps, and entries allocates a pair per label.
  for (const key in raw) {
    const value = raw[key];
    const decodes = value === null || typeof value === "string";
    const keyProblems = labelKeyProblems(key);
    const text = decodes ? ((value as string | null) ?? "") : "";
    const valueProblems = decodes ? labelValueProblems(text) : [];
    if (decodes && keyProblems.length === 0 && valueProblems.length === 0) continue;
    const apiField = field();
    const at = [...path, key];
    if (!decodes) errors.push(decodeError(value, goStruct, path, "string", apiField, at, key));
    for (const detail of keyProblems) errors.push({ apiField, type: "Invalid value", value: key, detail, path: at, key });
    for (const detail of valueProblems) errors.push({ apiField, type: "Invalid value", value: text, detail, path: at, key });
  }
  return errors;
}

/** Annotation keys (lowercased first), non-string values, and the total size (`ValidateAnnotations`). */
export function validateAnnotationMap(raw: unknown, path: FieldPath, options: FieldOptions = {}): LabelFieldError[] {
  if (raw === null || raw === undefined) return [];
  const field = () => options.apiField ?? formatPath(path);
  const goStruct = options.goStruct ?? "ObjectMeta";
  if (!isRecord(raw)) return [decodeError(raw, goStruct, path, "map[string]string", field())];
  const errors: LabelFieldError[] = [];
  let bytes = 0;
  for (const key in raw) {
    const value = raw[key];
    const decodes = value === null || typeof value === "string";
    if (!decodes) errors.push(decodeError(value, goStruct, path, "string", field(), [...path, key], key));
    for (const detail of annotationKeyProblems(key)) errors.push({ apiField: field(), type: "Invalid value", value: key, detail, path: [...path, key], key });
    if (decodes) bytes += byteLength(key) + byteLength(value ?? "");
  }
  const tooLong = sizeProblem(bytes);
  if (tooLong) errors.push({ apiField: field(), type: "Too long", detail: tooLong, path });
  return errors;
}

/**
 * A metav1.LabelSelector (`ValidateLabelSelector`, `ValidateLabelSelectorRequirement`):
 * matchLabels like labels; per expression the operator against its values, the key, then
 * each value. Errors come in the Go code's order.
 */
export function validateLabelSelector(raw: unknown, path: FieldPath, options: FieldOptions = {}): LabelFieldError[] {
  const apiField = options.apiField ?? formatPath(path);
  if (raw === null || raw === undefined) return [];
  if (!isRecord(raw)) return [decodeError(raw, options.goStruct ?? "LabelSelector", path, "v1.LabelSelector", apiField)];
  const errors = validateLabelMap(raw.matchLabels, [...path, "matchLabels"], { apiField: `${apiField}.matchLabels`, goStruct: "LabelSelector" });
  const expressions = raw.matchExpressions;
  if (expressions === null || expressions === undefined) return errors;
  const expressionsPath = [...path, "matchExpressions"];
  if (!Array.isArray(expressions)) {
    errors.push(decodeError(expressions, "LabelSelector", expressionsPath, "[]v1.LabelSelectorRequirement", `${apiField}.matchExpressions`));
    return errors;
  }
  expressions.forEach((expression, i) => {
    const at = [...expressionsPath, i];
    const field = `${apiField}.matchExpressions[${i}]`;
    if (expression === null) expression = {};
    if (!isRecord(expression)) {
      errors.push(decodeError(expression, "LabelSelector", expressionsPath, "v1.LabelSelectorRequirement", field, at));
      return;
    }
    const undecodable = requirementDecodeErrors(expression, at, field);
    errors.push(...(undecodable.length > 0 ? undecodable : requirementErrors(expression, at, field)));
  });
  return errors;
}

/** The fields of one LabelSelectorRequirement that JSON decoding rejects (a key, operator or value that is no string). */
function requirementDecodeErrors(expression: Record<string, unknown>, at: FieldPath, field: string): LabelFieldError[] {
  const errors: LabelFieldError[] = [];
  for (const name of ["key", "operator"] as const) {
    const value = expression[name];
    if (value !== null && value !== undefined && typeof value !== "string") {
      errors.push(decodeError(value, "LabelSelectorRequirement", [...at, name], "string", `${field}.${name}`));
    }
  }
  const { values } = expression;
  if (values === null || values === undefined) return errors;
  if (!Array.isArray(values)) {
    errors.push(decodeError(values, "LabelSelectorRequirement", [...at, "values"], "[]string", `${field}.values`));
    return errors;
  }
  values.forEach((value, j) => {
    if (value !== null && typeof value !== "string") {
      errors.push(decodeError(value, "LabelSelectorRequirement", [...at, "values"], "string", `${field}.values[${j}]`, [...at, "values", j]));
    }
  });
  return errors;
}

/** A decoded LabelSelectorRequirement (`ValidateLabelSelectorRequirement`): the operator against its values, the key, each value. */
function requirementErrors(expression: Record<string, unknown>, at: FieldPath, field: string): LabelFieldError[] {
  const { key, operator, values } = expression;
  const errors: LabelFieldError[] = [];
  const keyText = typeof key === "string" ? key : "";
  const operatorText = typeof operator === "string" ? operator : "";
  const list = Array.isArray(values) ? values.map((v) => (typeof v === "string" ? v : "")) : [];
  const withKey = keyText === "" ? {} : { key: keyText };
  if (operatorText === "In" || operatorText === "NotIn") {
    if (list.length === 0) {
      errors.push({ apiField: `${field}.values`, type: "Required value", detail: "must be specified when `operator` is 'In' or 'NotIn'", path: at, ...withKey });
    }
  } else if (operatorText === "Exists" || operatorText === "DoesNotExist") {
    if (list.length > 0) {
      errors.push({ apiField: `${field}.values`, type: "Forbidden", detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'", path: [...at, "values"], ...withKey });
    }
  } else {
    errors.push({ apiField: `${field}.operator`, type: "Invalid value", value: operatorText, detail: "not a valid selector operator", path: [...at, "operator"], ...withKey });
  }
  for (const detail of labelKeyProblems(keyText)) {
    errors.push({ apiField: `${field}.key`, type: "Invalid value", value: keyText, detail, path: [...at, "key"], ...withKey });
  }
  list.forEach((value, j) => {
    for (const detail of labelValueProblems(value)) {
      errors.push({ apiField: `${field}.values[${j}]`, type: "Invalid value", value, detail, path: [...at, "values", j], ...withKey });
    }
  });
  return errors;
}

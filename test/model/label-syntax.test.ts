import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  annotationKeyProblems,
  annotationsSizeProblem,
  dns1035LabelProblems,
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  formatFieldError,
  goToLower,
  labelKeyProblems,
  labelValueProblems,
  regexError,
  validateAnnotationMap,
  validateLabelMap,
  validateLabelSelector,
} from "../../src/model/label-syntax.ts";

// The exact texts of apimachinery ≤v0.34 (k8s-rules.md §2.1), written out by hand.
const NAME_REGEX =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_REGEX =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN_REGEX =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_REGEX =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_REGEX =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

test("regexError joins examples the way Go does (two spaces before 'or')", () => {
  assert.equal(regexError("m", "f"), "m (regex used for validation is 'f')");
  assert.equal(regexError("m", "f", "a", "b"), "m (e.g. 'a',  or 'b', regex used for validation is 'f')");
});

test("labelKeyProblems: valid keys", () => {
  for (const key of ["app", "app.kubernetes.io/name", "helm.sh/chart", "MyName", "my.name", "123-abc", "a", "a_b", "x/" + "a".repeat(63)]) {
    assert.deepEqual(labelKeyProblems(key), [], key);
  }
});

test("labelKeyProblems: name part", () => {
  assert.deepEqual(labelKeyProblems(""), ["name part must be non-empty", `name part ${NAME_REGEX}`]);
  assert.deepEqual(labelKeyProblems("-app"), [`name part ${NAME_REGEX}`]);
  assert.deepEqual(labelKeyProblems("app_"), [`name part ${NAME_REGEX}`]);
  assert.deepEqual(labelKeyProblems("a b"), [`name part ${NAME_REGEX}`]);
  assert.deepEqual(labelKeyProblems("a".repeat(64)), ["name part must be no more than 63 characters"]);
  assert.deepEqual(labelKeyProblems(`${"a".repeat(64)}!`), ["name part must be no more than 63 characters", `name part ${NAME_REGEX}`]);
  assert.deepEqual(labelKeyProblems("example.com/"), ["name part must be non-empty", `name part ${NAME_REGEX}`]);
});

test("labelKeyProblems: prefix part and slashes", () => {
  assert.deepEqual(labelKeyProblems("/app"), ["prefix part must be non-empty"]);
  assert.deepEqual(labelKeyProblems("Example.com/app"), [`prefix part ${SUBDOMAIN_REGEX}`]);
  assert.deepEqual(labelKeyProblems("my_corp.io/app"), [`prefix part ${SUBDOMAIN_REGEX}`]);
  assert.deepEqual(labelKeyProblems(`${"a".repeat(254)}/app`), ["prefix part must be no more than 253 characters"]);
  assert.deepEqual(labelKeyProblems("a/b/c"), [
    `a qualified name ${NAME_REGEX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ]);
});

test("labelValueProblems", () => {
  for (const value of ["", "web", "1.16.0", "web-0.1.0", "v1.2.3_build.5", "a".repeat(63)]) assert.deepEqual(labelValueProblems(value), [], value);
  assert.deepEqual(labelValueProblems("1.2.3+build"), [VALUE_REGEX]);
  assert.deepEqual(labelValueProblems("nginx:1.25"), [VALUE_REGEX]);
  assert.deepEqual(labelValueProblems("-web"), [VALUE_REGEX]);
  assert.deepEqual(labelValueProblems("a".repeat(64)), ["must be no more than 63 characters"]);
  assert.deepEqual(labelValueProblems(`${"a".repeat(63)}-`), ["must be no more than 63 characters", VALUE_REGEX]);
  assert.deepEqual(labelValueProblems("café"), [VALUE_REGEX]);
});

test("lengths are counted in UTF-8 bytes, as Go's len does", () => {
  // 32 × 'é' is 32 characters but 64 bytes.
  assert.deepEqual(labelValueProblems("é".repeat(32)), ["must be no more than 63 characters", VALUE_REGEX]);
});

test("annotation keys are lowercased (Go's simple mapping) before the label-key check", () => {
  assert.deepEqual(annotationKeyProblems("Example.COM/MyKey"), []);
  assert.deepEqual(labelKeyProblems("Example.COM/MyKey"), [`prefix part ${SUBDOMAIN_REGEX}`]);
  assert.deepEqual(annotationKeyProblems("checksum/config map"), [`name part ${NAME_REGEX}`]);
  // U+0130 lowers to a plain 'i' in Go (JavaScript's toLowerCase gives "i̇"); U+212A (Kelvin) to 'k'.
  assert.equal(goToLower("\u0130\u212A\u03A3"), "ik\u03C3");
  assert.deepEqual(annotationKeyProblems("example.com/\u0130d"), []);
  assert.deepEqual(labelKeyProblems("example.com/\u0130d"), [`name part ${NAME_REGEX}`]);
});

test("annotation size limit is 256 KiB over keys plus values", () => {
  assert.equal(annotationsSizeProblem({ a: "x".repeat(262143) }), undefined);
  assert.equal(annotationsSizeProblem({ a: "x".repeat(262144) }), "must have at most 262144 bytes");
});

test("DNS names", () => {
  assert.deepEqual(dns1123LabelProblems("web-0"), []);
  assert.deepEqual(dns1123LabelProblems("web.db"), ["must not contain dots"]);
  assert.deepEqual(dns1123LabelProblems("Web"), [LABEL_REGEX]);
  assert.deepEqual(dns1123LabelProblems("a".repeat(64)), ["must be no more than 63 characters"]);
  assert.deepEqual(dns1123LabelProblems(`${"a".repeat(62)}.b`), ["must be no more than 63 characters", "must not contain dots"]);
  assert.deepEqual(dns1123SubdomainProblems("my.app-1"), []);
  assert.deepEqual(dns1123SubdomainProblems("my_app"), [SUBDOMAIN_REGEX]);
  assert.deepEqual(dns1123SubdomainProblems("a".repeat(254)), ["must be no more than 253 characters"]);
  assert.deepEqual(dns1035LabelProblems("web"), []);
  assert.deepEqual(dns1035LabelProblems("1web"), [DNS1035_REGEX]);
  assert.deepEqual(dns1035LabelProblems("web.svc"), [DNS1035_REGEX]);
});

test("validateLabelMap: keys, values, decode errors", () => {
  const errors = validateLabelMap({ ok: "yes", "bad key": "v", v: "1.0+x", enabled: true, version: 1.1, empty: null }, ["spec", "template", "metadata", "labels"], {
    apiField: "spec.template.labels",
  });
  assert.deepEqual(
    errors.map((e) => [formatFieldError(e), e.path.join("|")]),
    [
      [`spec.template.labels: Invalid value: "bad key": name part ${NAME_REGEX}`, "spec|template|metadata|labels|bad key"],
      [`spec.template.labels: Invalid value: "1.0+x": ${VALUE_REGEX}`, "spec|template|metadata|labels|v"],
      ["json: cannot unmarshal bool into Go struct field ObjectMeta.spec.template.metadata.labels of type string", "spec|template|metadata|labels|enabled"],
      ["json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata.labels of type string", "spec|template|metadata|labels|version"],
    ],
  );
  assert.deepEqual(
    validateLabelMap([{ app: "web" }], ["metadata", "labels"]).map(formatFieldError),
    ["json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string"],
  );
  assert.deepEqual(validateLabelMap(null, ["metadata", "labels"]), []);
});

test("validateAnnotationMap: keys and size", () => {
  const errors = validateAnnotationMap({ "Checksum/Config": "x", "a//b": "y", big: "z".repeat(262144) }, ["metadata", "annotations"]);
  assert.deepEqual(errors.map(formatFieldError), [
    `metadata.annotations: Invalid value: "a//b": a qualified name ${NAME_REGEX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    "metadata.annotations: Too long: must have at most 262144 bytes",
  ]);
});

test("validateLabelSelector: matchLabels and each requirement rule (§2.2)", () => {
  const selector = {
    matchLabels: { app: "web+1" },
    matchExpressions: [
      { key: "tier", operator: "In" },
      { key: "canary", operator: "Exists", values: ["true"] },
      { key: "zone", operator: "Gt", values: ["1"] },
      { key: "Bad Key", operator: "NotIn", values: ["ok", "no:pe"] },
      { key: "x", operator: "In", values: [true] },
    ],
  };
  assert.deepEqual(
    validateLabelSelector(selector, ["spec", "selector"]).map((e) => [formatFieldError(e), e.path.join("|")]),
    [
      [`spec.selector.matchLabels: Invalid value: "web+1": ${VALUE_REGEX}`, "spec|selector|matchLabels|app"],
      ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'", "spec|selector|matchExpressions|0"],
      [
        "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        "spec|selector|matchExpressions|1|values",
      ],
      ['spec.selector.matchExpressions[2].operator: Invalid value: "Gt": not a valid selector operator', "spec|selector|matchExpressions|2|operator"],
      [`spec.selector.matchExpressions[3].key: Invalid value: "Bad Key": name part ${NAME_REGEX}`, "spec|selector|matchExpressions|3|key"],
      [`spec.selector.matchExpressions[3].values[1]: Invalid value: "no:pe": ${VALUE_REGEX}`, "spec|selector|matchExpressions|3|values|1"],
      [
        "json: cannot unmarshal bool into Go struct field LabelSelectorRequirement.spec.selector.matchExpressions.values of type string",
        "spec|selector|matchExpressions|4|values|0",
      ],
    ],
  );
  assert.deepEqual(validateLabelSelector({ matchLabels: { app: "web" } }, ["spec", "selector"]), []);
});

// An independent, character-by-character reading of §2.1, to check the regex-based code.
const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isLowerAlnum = (c: string) => /^[a-z0-9]$/.test(c);
function refName(name: string): boolean {
  if (name.length === 0 || Buffer.byteLength(name) > 63) return false;
  const chars = [...name];
  return isAlnum(chars[0]!) && isAlnum(chars.at(-1)!) && chars.every((c) => isAlnum(c) || c === "-" || c === "_" || c === ".");
}
function refDnsLabel(label: string): boolean {
  const chars = [...label];
  return chars.length > 0 && isLowerAlnum(chars[0]!) && isLowerAlnum(chars.at(-1)!) && chars.every((c) => isLowerAlnum(c) || c === "-");
}
function refSubdomain(value: string): boolean {
  return Buffer.byteLength(value) <= 253 && value.split(".").every(refDnsLabel);
}
function refKey(key: string): boolean {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  if (parts.length === 2 && !refSubdomain(parts[0]!)) return false;
  return refName(parts.at(-1)!);
}

const labelish = fc.string({ unit: fc.constantFrom(..."aZ09-_./ é:+".split("")), maxLength: 70 });

test("property: label keys and values agree with a character-level reference", () => {
  fc.assert(
    fc.property(labelish, (s) => {
      assert.equal(labelKeyProblems(s).length === 0, refKey(s), `key ${JSON.stringify(s)}`);
      assert.equal(labelValueProblems(s).length === 0, s === "" || refName(s), `value ${JSON.stringify(s)}`);
      assert.equal(dns1123SubdomainProblems(s).length === 0, refSubdomain(s), `subdomain ${JSON.stringify(s)}`);
      assert.equal(dns1123LabelProblems(s).length === 0, refDnsLabel(s) && Buffer.byteLength(s) <= 63, `label ${JSON.stringify(s)}`);
    }),
    { numRuns: 2000 },
  );
});

/**
 * Property and fuzz tests (fast-check) over the code that reads untrusted input:
 *
 * - the YAML loader on arbitrary text and on mutated real manifests: only InputError ever
 *   escapes, and whatever parses goes through the whole check and upgrade core without
 *   an exception;
 * - the loader's two parsers (js-yaml, and `yaml` for what js-yaml refuses) and its large-
 *   document path agree on values, with the generated value as the reference, and
 *   BlockLocator agrees with `yaml` on the line of every field of block-style documents;
 * - the label validator on values of any type against a plain reference;
 * - the selector engine on selectors of any shape (its semantics on valid selectors are
 *   property-tested against a brute-force reference in test/model/selector.test.ts);
 * - what reviewers read: control characters made visible, markdown code spans, fences and
 *   text escaped so that chart text cannot end them or add markup;
 * - the config parser and `--set` key parsing on hostile text.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { checkDocuments } from "../../src/analyze/check.ts";
import { upgradeDocuments } from "../../src/analyze/upgrade/index.ts";
import { parseConfig } from "../../src/config/config.ts";
import { InputError } from "../../src/errors.ts";
import { keyString, resolvePlainScalar } from "../../src/load/k8s-scalars.ts";
import { parseYamlStream, type FieldPath, type ParseOptions, type YamlDocument } from "../../src/load/yaml.ts";
import { labelKeyProblems, validateLabelMap, validateLabelSelector } from "../../src/model/label-syntax.ts";
import { setArgumentKeys, setKey } from "../../src/render/probe-values.ts";
import { code, escapeMarkdown, fenced } from "../../src/report/markdown.ts";
import { visible, visibleLines } from "../../src/report/visible.ts";
import { compileLabelSelector, matches, selectorFromMap, type Labels } from "../../src/model/selector.ts";

// A fixed seed keeps CI deterministic; explore with CHARTGUARD_FUZZ_SEED=$RANDOM CHARTGUARD_FUZZ_RUNS=5000.
const SEED = Number(process.env.CHARTGUARD_FUZZ_SEED ?? 7_202_511);
const runs = (n: number) => ({ numRuns: Number(process.env.CHARTGUARD_FUZZ_RUNS ?? n), seed: SEED });

// ---------------------------------------------------------------------------------------------
// The loader on hostile text
// ---------------------------------------------------------------------------------------------

const SEEDS = [
  `---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    helm.sh/chart: web-1.2.3
    app.kubernetes.io/name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
        app.kubernetes.io/version: "1.10"
    spec:
      containers:
      - name: web
        image: "nginx:1.27"
        env:
        - {name: A, value: "x"}
---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app.kubernetes.io/name: web}
  ports: [{port: 80}]
`,
  `apiVersion: v1
kind: List
items:
- apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: {name: pdb}
  spec:
    minAvailable: 50%
    selector:
      matchExpressions:
      - {key: app, operator: In, values: [web, api]}
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: db}
  spec:
    serviceName: db
    selector: {matchLabels: {app: db}}
    template:
      metadata: {labels: {app: db}}
    volumeClaimTemplates:
    - metadata: {name: data, labels: {helm.sh/chart: db-1.0.0}}
`,
  `base: &base
  app: web
  tier: frontend
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: r
  labels: &labels
    <<: {app: r}
    version: yes
spec:
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels:
        <<: *labels
        extra: !!str 0777
      annotations:
        note: |
          multi
          line
        folded: >-
          folded
          text
`,
  `{"apiVersion": "apps.kruise.io/v1alpha1", "kind": "CloneSet", "metadata": {"name": "c", "generateName": "c-"},
 "spec": {"selector": {"matchLabels": {"app": "c"}}, "template": {"metadata": {"labels": {"app": "c"}}, "spec": {"containers": []}}}}
`,
];

const TOKENS = [
  ": ", "- ", "-", "---\n", "...\n", "\t", "&a ", "*a", "*b ", "!!binary ", "!!int ", "!!map ", "!custom ", "|\n", ">-\n", "{", "}", "[", "]",
  "'", '"', "#", "\n", "  ", "    ", "<<: *a\n", "<<: [*a, *b]\n", "? ", "%YAML 1.1\n", "\u0000", "\uFEFF", "\r\n", "\r", "@", "`", "0x", "1e3",
  "yes", "on", "~", "null", "1.10", "\\", "\u2028", "😀", "a: &a [*a]\n", "kind: List\nitems: 3\n", "apiVersion: v1\n", "kind: Deployment\n",
  "metadata: {name: x}\n", "selector: 7\n", "labels: [a, b]\n", "matchLabels: {a: [1]}\n", "matchExpressions: {key: a}\n", "template: null\n",
];

type Mutation = (text: string) => string;
const at = (text: string, position: number) => Math.min(text.length, Math.max(0, Math.floor(position * (text.length + 1))));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ p: fc.double({ min: 0, max: 1, noNaN: true }), token: fc.constantFrom(...TOKENS) }).map(({ p, token }) => (t: string) => t.slice(0, at(t, p)) + token + t.slice(at(t, p))),
  fc.record({ p: fc.double({ min: 0, max: 1, noNaN: true }), n: fc.integer({ min: 1, max: 40 }) }).map(({ p, n }) => (t: string) => t.slice(0, at(t, p)) + t.slice(at(t, p) + n)),
  fc.record({ p: fc.double({ min: 0, max: 1, noNaN: true }), c: fc.string({ minLength: 1, maxLength: 3 }) }).map(({ p, c }) => (t: string) => t.slice(0, at(t, p)) + c + t.slice(at(t, p) + c.length)),
  fc.record({ i: fc.nat(), j: fc.nat() }).map(({ i, j }) => (t: string) => {
    const lines = t.split("\n");
    const a = i % lines.length;
    const b = j % lines.length;
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    return lines.join("\n");
  }),
  fc.record({ i: fc.nat(), d: fc.integer({ min: -4, max: 4 }) }).map(({ i, d }) => (t: string) => {
    const lines = t.split("\n");
    const a = i % lines.length;
    lines[a] = d >= 0 ? " ".repeat(d) + lines[a] : lines[a]!.replace(new RegExp(`^ {0,${-d}}`), "");
    return lines.join("\n");
  }),
  fc.nat().map((i) => (t: string) => {
    const lines = t.split("\n");
    lines.splice(i % lines.length, 0, lines[i % lines.length]!);
    return lines.join("\n");
  }),
);

const mutatedManifest = fc
  .record({ seed: fc.constantFrom(...SEEDS), mutations: fc.array(mutation, { minLength: 1, maxLength: 5 }) })
  .map(({ seed, mutations }) => mutations.reduce((text, mutate) => mutate(text), seed));

const yamlish = fc.string({ unit: fc.constantFrom(...TOKENS, "a", "b", "k", "1", " ", "\n", ":", "-"), maxLength: 60 });

const PARSERS: [string, ParseOptions][] = [
  ["default", {}],
  ["yaml only", { positionedOnly: true }],
  ["as a large document", { largeDocumentChars: 0 }],
];

/** Parses, and runs everything downstream; returns the documents, or undefined for an InputError. */
function loadAndAnalyse(text: string, options: ParseOptions): YamlDocument[] | undefined {
  let docs: YamlDocument[];
  try {
    docs = parseYamlStream(text, "fuzz.yaml", options);
  } catch (error) {
    if (error instanceof InputError) {
      assert.equal(error.file, "fuzz.yaml");
      assert.ok(!error.oneLine.includes("\n"), `one line: ${error.oneLine}`);
      return undefined;
    }
    throw error;
  }
  for (const doc of docs) {
    for (const path of pathsOf(doc.value, 200)) assert.ok(Number.isInteger(doc.locate(path)));
    assert.ok(Number.isInteger(doc.locate(["no", 0, "such", "path"])));
  }
  const checked = checkDocuments(docs, { namespace: "fuzz" });
  for (const finding of checked.findings) assert.ok(finding.location.line >= 1);
  upgradeDocuments(docs, docs, { namespace: "fuzz" });
  const seed = parseYamlStream(SEEDS[0]!, "seed.yaml");
  upgradeDocuments(seed, docs, { namespace: "fuzz" });
  upgradeDocuments(docs, seed, { namespace: "fuzz" });
  return docs;
}

/** Paths to every node of a value (at most `limit`), shared references visited once. */
function pathsOf(value: unknown, limit: number): FieldPath[] {
  const out: FieldPath[] = [];
  const seen = new Set<object>();
  const visit = (node: unknown, path: FieldPath) => {
    if (out.length >= limit) return;
    out.push(path);
    if (node === null || typeof node !== "object" || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, [...path, i]));
    else for (const [key, item] of Object.entries(node)) visit(item, [...path, key]);
  };
  visit(value, []);
  return out;
}

describe("the YAML loader on hostile text", () => {
  for (const [name, options] of PARSERS) {
    test(`arbitrary text (${name}): only InputError escapes, and what parses is analysed without error`, () => {
      fc.assert(fc.property(fc.oneof(yamlish, fc.string({ maxLength: 80 }), fc.string({ unit: "binary", maxLength: 40 })), (text) => void loadAndAnalyse(text, options)), runs(400));
    });

    test(`mutated real manifests (${name}): only InputError escapes, and what parses is analysed without error`, () => {
      fc.assert(fc.property(mutatedManifest, (text) => void loadAndAnalyse(text, options)), runs(300));
    });
  }

  test("the unmutated seeds parse the same with every parser", () => {
    for (const seed of SEEDS) {
      const [reference, ...others] = PARSERS.map(([, options]) => loadAndAnalyse(seed, options)!.map((doc) => doc.value));
      for (const other of others) assert.deepEqual(other, reference);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The parsers against each other, and against the generated value
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// Scalars whose plain form Kubernetes reads in a special way: both parsers must read them alike.
const TRICKY_PLAIN = ["yes", "No", "on", "OFF", "y", "n", "true", "False", "~", "null", "0777", "0o17", "0x1F", "0b101", "1_000", "08", "_1", "1e3", "1.", ".5", "1.10", "1:20", "2001-12-14", "nan", ".inf", "-.inf", "1.2.3", "=", "-0x1F", "+12", "12345678901234567890", "0.1e-5"];
const NAMES = ["a", "app", "name", "app.kubernetes.io/name", "helm.sh/chart", "x-1", "key_2", "Kind", "spec"];
const key = fc.oneof(fc.constantFrom(...NAMES, "y", "on", "1", "0x1F", "a b", "-x", "a:b", "#c", "it's"), fc.string({ minLength: 1, maxLength: 8 }));
const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(...NAMES),
);
const jsonValue: fc.Arbitrary<Json> = fc.letrec<{ value: Json; map: { [key: string]: Json } }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("map"), fc.array(tie("value"), { maxLength: 4 })),
  map: fc.dictionary(key, tie("value"), { maxKeys: 5, noNullPrototype: true }),
})).map;

interface Style {
  indentlessSequences: boolean;
  compactItems: boolean;
  flowLeaves: boolean;
  comments: boolean;
  plainTricky: boolean;
}
const style: fc.Arbitrary<Style> = fc.record({ indentlessSequences: fc.boolean(), compactItems: fc.boolean(), flowLeaves: fc.boolean(), comments: fc.boolean(), plainTricky: fc.boolean() });

/** A key or string as YAML text: plain when Kubernetes would read it back unchanged, else double-quoted. */
function text(value: string, asKey: boolean): string {
  const plainSafe = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(value) && (asKey ? keyString(resolvePlainScalar(value)) === value : resolvePlainScalar(value) === value);
  return plainSafe ? value : JSON.stringify(value);
}

function scalarText(value: Json): string {
  if (value === null) return "null";
  if (typeof value === "string") return text(value, false);
  return String(value);
}

function isLeaf(value: Json): boolean {
  return value === null || typeof value !== "object" || (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);
}

function flow(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(", ")}]`;
  if (value !== null && typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${text(k, true)}: ${flow(v)}`).join(", ")}}`;
  return scalarText(value);
}

/** Block-style YAML for a mapping, in the shapes helm and kubectl print (and a few more). */
function emit(root: { [key: string]: Json }, s: Style): string {
  const lines: string[] = [];
  let n = 0;
  const comment = (pad: number) => {
    if (s.comments && n++ % 3 === 0) lines.push(`${" ".repeat(pad)}# a comment: with - tokens`, "");
  };
  const inline = (value: Json) => (isLeaf(value) ? flow(value) : s.flowLeaves && JSON.stringify(value).length < 40 ? flow(value) : undefined);
  const map = (value: { [key: string]: Json }, pad: number, firstPrefix?: string) => {
    Object.entries(value).forEach(([k, v], i) => {
      const prefix = i === 0 && firstPrefix !== undefined ? firstPrefix : " ".repeat(pad);
      if (!(i === 0 && firstPrefix !== undefined)) comment(pad);
      const one = inline(v);
      if (one !== undefined) lines.push(`${prefix}${text(k, true)}: ${one}`);
      else {
        lines.push(`${prefix}${text(k, true)}:`);
        block(v, Array.isArray(v) && s.indentlessSequences ? pad : pad + 2);
      }
    });
  };
  const block = (value: Json, pad: number) => {
    if (Array.isArray(value)) {
      for (const item of value) {
        comment(pad);
        const one = inline(item);
        if (one !== undefined) lines.push(`${" ".repeat(pad)}- ${one}`);
        else if (!Array.isArray(item) && s.compactItems) map(item as { [key: string]: Json }, pad + 2, `${" ".repeat(pad)}- `);
        else {
          lines.push(`${" ".repeat(pad)}-`);
          block(item, pad + 2);
        }
      }
    } else map(value as { [key: string]: Json }, pad);
  };
  map(root, 0);
  return `---\n# Source: gen/templates/x.yaml\n${lines.join("\n")}\n`;
}

const document = fc.record({ value: fc.dictionary(key, jsonValue, { minKeys: 1, maxKeys: 6, noNullPrototype: true }), style });

describe("the two parsers, the large-document path and the generated value agree", () => {
  test("generated documents read back as the value they were written from, by every parser", () => {
    fc.assert(
      fc.property(document, ({ value, style: s }) => {
        const yamlText = emit(value, s);
        for (const [name, options] of PARSERS) {
          const docs = parseYamlStream(yamlText, "gen.yaml", options);
          assert.equal(docs.length, 1, name);
          assert.deepEqual(docs[0]!.value, value, `${name}:\n${yamlText}`);
        }
      }),
      runs(300),
    );
  });

  test("plain scalars Kubernetes reads specially: js-yaml and `yaml` give the same values", () => {
    const plainDoc = fc.dictionary(fc.constantFrom(...NAMES), fc.oneof(fc.constantFrom(...TRICKY_PLAIN), fc.array(fc.constantFrom(...TRICKY_PLAIN), { maxLength: 3 })), { minKeys: 1 });
    fc.assert(
      fc.property(plainDoc, (doc) => {
        const yamlText = Object.entries(doc)
          .map(([k, v]) => (Array.isArray(v) ? `${k}:\n${v.map((item) => `- ${item}`).join("\n")}` : `${k}: ${v}`))
          .join("\n");
        const fast = parseYamlStream(yamlText, "p.yaml")[0]!.value;
        const positioned = parseYamlStream(yamlText, "p.yaml", { positionedOnly: true })[0]!.value;
        assert.deepEqual(fast, positioned, yamlText);
      }),
      runs(300),
    );
  });

  test("BlockLocator (every document, large or not) and `yaml` put every field of a block-style document, present or absent, on the same line", () => {
    fc.assert(
      fc.property(document, ({ value, style: s }) => {
        const yamlText = emit(value, s);
        const reference = parseYamlStream(yamlText, "gen.yaml", { locateWithYaml: true })[0]!;
        const usual = parseYamlStream(yamlText, "gen.yaml")[0]!;
        const large = parseYamlStream(yamlText, "gen.yaml", { largeDocumentChars: 0 })[0]!;
        for (const path of pathsOf(reference.value, 500)) {
          for (const probe of [path, [...path, "absent"], [...path, 99], [...path, "absent", "deeper"]]) {
            assert.equal(usual.locate(probe), reference.locate(probe), `${JSON.stringify(probe)} in\n${yamlText}`);
            assert.equal(large.locate(probe), reference.locate(probe), `large: ${JSON.stringify(probe)} in\n${yamlText}`);
          }
        }
      }),
      runs(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Label validator and selector engine on values of any shape
// ---------------------------------------------------------------------------------------------

const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isLowerAlnum = (c: string) => /^[a-z0-9]$/.test(c);
function refName(name: string): boolean {
  if (name.length === 0 || Buffer.byteLength(name) > 63) return false;
  const chars = [...name];
  return isAlnum(chars[0]!) && isAlnum(chars.at(-1)!) && chars.every((c) => isAlnum(c) || c === "-" || c === "_" || c === ".");
}
function refKey(k: string): boolean {
  const parts = k.split("/");
  if (parts.length > 2) return false;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    const labels = prefix.split(".");
    const dnsLabel = (l: string) => [...l].length > 0 && isLowerAlnum(l[0]!) && isLowerAlnum(l.at(-1)!) && [...l].every((c) => isLowerAlnum(c) || c === "-") && l.length <= 63;
    if (Buffer.byteLength(prefix) > 253 || !labels.every(dnsLabel)) return false;
  }
  return refName(parts.at(-1)!);
}

const labelText = fc.oneof(fc.string({ unit: fc.constantFrom(..."aZ09-_./ é:+".split("")), maxLength: 70 }), fc.constantFrom(...NAMES, "", "example.com/x", "a/b/c"));
const anyValue = fc.oneof(fc.anything({ maxDepth: 3 }), fc.constant(null), labelText);
const labelMapLike = fc.oneof(fc.dictionary(labelText, anyValue, { maxKeys: 5 }), anyValue);

describe("label validator and selector engine on any shape", () => {
  test("validateLabelMap: never throws, and finds exactly the problems a plain reference finds", () => {
    fc.assert(
      fc.property(labelMapLike, (raw) => {
        const errors = validateLabelMap(raw, ["metadata", "labels"]);
        if (raw === null || raw === undefined) return assert.deepEqual(errors, []);
        if (typeof raw !== "object" || Array.isArray(raw)) {
          return assert.deepEqual(errors.map((e) => e.type), ["Decode"]);
        }
        const expected: string[] = [];
        for (const [k, v] of Object.entries(raw as object)) {
          const decodes = v === null || typeof v === "string";
          if (!decodes) expected.push(`${k} Decode`);
          if (!refKey(k)) expected.push(`${k} key`);
          if (decodes && (v ?? "") !== "" && !refName(v as string)) expected.push(`${k} value`);
        }
        // A key's problems and a value's are told apart by their text, as the API server words them differently.
        const kind = (e: (typeof errors)[number]) => (e.type === "Decode" ? "Decode" : labelKeyProblems(e.key!).includes(e.detail) ? "key" : "value");
        const actual = errors.map((e) => `${e.key} ${kind(e)}`);
        assert.deepEqual([...new Set(actual)].sort(), [...new Set(expected)].sort(), JSON.stringify(raw));
      }),
      runs(1000),
    );
  });

  const selectorLike = fc.oneof(
    anyValue,
    fc.record(
      {
        matchLabels: labelMapLike,
        matchExpressions: fc.oneof(
          anyValue,
          fc.array(
            fc.oneof(
              anyValue,
              fc.record({ key: fc.oneof(labelText, anyValue), operator: fc.oneof(fc.constantFrom("In", "NotIn", "Exists", "DoesNotExist", "Gt", ""), anyValue), values: fc.oneof(fc.array(fc.oneof(labelText, anyValue), { maxLength: 3 }), anyValue) }, { requiredKeys: [] }),
            ),
            { maxLength: 3 },
          ),
        ),
      },
      { requiredKeys: [] },
    ),
  );
  const labels: fc.Arbitrary<Labels> = fc.dictionary(fc.constantFrom(...NAMES), fc.constantFrom(...NAMES, ""), { maxKeys: 4 });

  test("selectors of any shape: compiling, validating and matching never throw; valid ones match like a reference", () => {
    fc.assert(
      fc.property(selectorLike, labels, (raw, podLabels) => {
        const semantics = { nil: "nothing", empty: "everything" } as const;
        const selector = compileLabelSelector(raw, semantics);
        const asMap = selectorFromMap(raw, semantics);
        const problems = validateLabelSelector(raw, ["spec", "selector"]);
        const matched = matches(selector, podLabels);
        matches(asMap, podLabels);
        if (problems.length === 0 && raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
          assert.equal(matched, referenceMatches(raw as Record<string, unknown>, podLabels), JSON.stringify([raw, podLabels]));
        }
      }),
      runs(1000),
    );
  });
});

/** A valid LabelSelector's meaning, read straight from the object (k8s-rules.md §2.3). */
function referenceMatches(raw: Record<string, unknown>, podLabels: Labels): boolean {
  const has = (k: string) => Object.hasOwn(podLabels, k);
  const matchLabels = (raw.matchLabels ?? {}) as Record<string, string | null>;
  for (const [k, v] of Object.entries(matchLabels)) if (!has(k) || podLabels[k] !== (v ?? "")) return false;
  const expressions = (raw.matchExpressions ?? []) as { key?: string | null; operator?: string; values?: (string | null)[] | null }[];
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return true;
  for (const e of expressions) {
    const k = e.key ?? "";
    const values = (e.values ?? []).map((v) => v ?? "");
    if (e.operator === "In" && !(has(k) && values.includes(podLabels[k]!))) return false;
    if (e.operator === "NotIn" && has(k) && values.includes(podLabels[k]!)) return false;
    if (e.operator === "Exists" && !has(k)) return false;
    if (e.operator === "DoesNotExist" && has(k)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// What reviewers read: escaping of chart text, and the config a pull request brings
// ---------------------------------------------------------------------------------------------

/** Text with what hostile charts put in names: backticks, markup, controls, bidi overrides. */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.constantFrom("`", "``", "```", "<", ">", "&", "[", "]", "(", ")", "|", "*", "_", "#", "\\", "\n", "\r", "\t", "\u001b", "\u0007", "\u009b", "\u202e", "\u2028", " "),
    fc.string({ minLength: 1, maxLength: 1 }),
    fc.constantFrom("a", "web", "https://x.example", "<img src=x>", "</summary>"),
  ),
  maxLength: 40,
});
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe("escaping of chart text", () => {
  test("visible: no control character survives, other text is unchanged, output bounded", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const shown = visible(text);
        assert.doesNotMatch(shown, RAW_CONTROL);
        assert.ok(shown.length <= 6 * text.length);
        if (!RAW_CONTROL.test(text)) assert.equal(shown, text);
        assert.doesNotMatch(visibleLines(text), /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      }),
      runs(500),
    );
  });

  test("markdown code spans: one line, delimited by a backtick run that occurs nowhere inside", () => {
    fc.assert(
      fc.property(hostileText, fc.boolean(), (text, inTable) => {
        const span = code(text, inTable);
        assert.doesNotMatch(span, /\n|\r/);
        const delimiter = /^`+/.exec(span)![0];
        assert.ok(span.endsWith(delimiter) && span.length >= 2 * delimiter.length);
        const inside = span.slice(delimiter.length, span.length - delimiter.length);
        for (const run of inside.match(/`+/g) ?? []) assert.notEqual(run.length, delimiter.length, span);
        if (inTable) assert.doesNotMatch(inside, /(?<!\\)\|/);
      }),
      runs(500),
    );
  });

  test("markdown fenced blocks: no line inside can close the fence", () => {
    fc.assert(
      fc.property(fc.array(hostileText, { maxLength: 5 }), (lines) => {
        const block = fenced(lines, "sh");
        const fence = /^`+/.exec(block[0]!)![0];
        assert.equal(block.at(-1), fence);
        for (const line of block.slice(1, -1)) {
          assert.doesNotMatch(line, new RegExp(`^ {0,3}\`{${fence.length},}\\s*$`));
          assert.doesNotMatch(line, /\n|\r/);
        }
      }),
      runs(300),
    );
  });

  test("markdown text: no tag, link, code span, emphasis or line break survives unescaped", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const escaped = escapeMarkdown(text);
        assert.doesNotMatch(escaped, /<(?!br>)|\n|\r/);
        assert.doesNotMatch(escaped.replace(/\\\\/g, ""), /(?<!\\)[`[\]|*_#~]/, escaped);
        assert.doesNotMatch(escaped, RAW_CONTROL);
      }),
      runs(500),
    );
  });
});

describe("the config on hostile text", () => {
  test("parseConfig: only InputError escapes, on any text and on mutated valid configs", () => {
    const valid = "rules:\n  selector-overlap: {severity: warning}\nvolatileLabelKeys: [example.com/sha]\nallowedOverlaps:\n  - {label: track=canary}\ncharts:\n  web:\n    valuesFiles: [values.yaml]\n    release: web\n";
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.tuple(fc.nat(valid.length), fc.nat(20), hostileText).map(([at, cut, insert]) => valid.slice(0, at) + insert + valid.slice(at + cut)),
    );
    fc.assert(
      fc.property(text, (config) => {
        try {
          parseConfig(config, "/repo/.chartguard.yaml");
        } catch (error) {
          assert.ok(error instanceof InputError, String(error));
          assert.ok(error.oneLine.length < 4_000, "a bounded message");
        }
      }),
      runs(400),
    );
  });
});

describe("--set parsing on hostile text", () => {
  test("setArgumentKeys: never throws, at most one key per '=', and reads back every key setKey writes", () => {
    fc.assert(
      fc.property(hostileText, (argument) => {
        const keys = setArgumentKeys(argument);
        assert.ok(keys.length <= (argument.match(/=/g) ?? []).length);
        for (const key of keys) assert.ok(key.length > 0 && key.every((segment) => segment !== ""));
      }),
      runs(500),
    );
    const segment = hostileText.filter((text) => text !== "");
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), hostileText, (path, value) => {
        assert.deepEqual(setArgumentKeys(`${setKey(path)}=${value.replace(/[\\,]/g, "\\$&")}`), [path]);
      }),
      runs(500),
    );
  });
});

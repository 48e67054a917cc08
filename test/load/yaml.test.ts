import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InputError } from "../../src/errors.ts";
import { resolvePlainScalar } from "../../src/load/k8s-scalars.ts";
import { parsedByText, parseYamlStream } from "../../src/load/yaml.ts";
import { objectsFromDocuments } from "../../src/model/object.ts";

test("plain scalars resolve as sigs.k8s.io/yaml resolves them", () => {
  const cases: [string, unknown][] = [
    ["yes", true], ["On", true], ["y", true], ["N", false], ["off", false], ["yEs", "yEs"],
    ["0777", 511], ["0o17", 15], ["0x1F", 31], ["0X1F", 31], ["0x_1F", 31], ["0b101", 5], ["1_000", 1000],
    ["1__0", 10], ["08", 8], ["_1", "_1"], ["1e3", 1000], ["1.", 1], [".5", 0.5], ["1_000.5", 1000.5],
    ["1.10", 1.1], ["1:20", "1:20"], ["2001-12-14", "2001-12-14"], ["nan", "nan"], ["inf", "inf"],
    ["1.2.3", "1.2.3"], ["=", "="], ["~", null], ["null", null], ["", null], ["-0x1F", -31], ["+12", 12],
  ];
  for (const [text, expected] of cases) assert.deepEqual(resolvePlainScalar(text), expected, text);
});

test("documents keep their first line, Helm's Source comment and field lines", () => {
  const text = [
    "---", // 1
    "# Source: web/templates/deployment.yaml", // 2
    "apiVersion: apps/v1", // 3
    "kind: Deployment", // 4
    "metadata:", // 5
    "  name: web", // 6
    "  labels:", // 7
    "    helm.sh/chart: web-0.1.0", // 8
    "---", // 9
    "# Source: web/templates/empty.yaml", // 10
    "---", // 11
    "apiVersion: v1", // 12
    "kind: Service", // 13
    "metadata: {name: web}", // 14
  ].join("\n");
  const docs = parseYamlStream(text, "out.yaml");
  assert.deepEqual(docs.map((d) => [d.startLine, d.template ?? null, d.value === null]), [
    [1, "web/templates/deployment.yaml", false],
    [9, "web/templates/empty.yaml", true],
    [11, null, false],
  ]);
  assert.equal(docs[0]!.locate(["metadata", "labels", "helm.sh/chart"]), 8);
  assert.equal(docs[0]!.locate(["spec", "selector"]), 3, "an absent field points at its nearest present ancestor (the document)");
  assert.equal(docs[2]!.locate(["metadata", "name"]), 14);
});

test("duplicate keys: the last value wins, as in Kubernetes, and the key is reported with its line", () => {
  const docs = parseYamlStream("metadata:\n  name: a\n  name: b\n  labels: {on: x, yes: v}\n", "d.yaml");
  assert.deepEqual(docs[0]!.value, { metadata: { name: "b", labels: { true: "v" } } });
  assert.deepEqual(docs[0]!.duplicateKeys, [{ key: "name", line: 3 }, { key: "true", line: 4 }]);
});

test("CRLF line ends and a byte-order mark are read like plain text", () => {
  const docs = parseYamlStream("\uFEFFapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\n", "crlf.yaml");
  assert.deepEqual(docs[0]!.value, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } });
  assert.equal(docs[0]!.locate(["metadata", "name"]), 4);
});

test("a syntax error names the file and the line", () => {
  assert.throws(
    () => parseYamlStream("a: 1\n---\nkind: x\n  bad: [\n", "bad.yaml"),
    (e: unknown) => e instanceof InputError && e.file === "bad.yaml" && e.line !== undefined && e.line >= 3,
  );
});

test("alias bombs are refused quickly instead of expanded", () => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  const start = Date.now();
  assert.throws(() => parseYamlStream(lines.join("\n"), "bomb.yaml"), (e: unknown) => e instanceof InputError && /aliases/.test(e.message));
  assert.ok(Date.now() - start < 5000);
});

test("deep nesting is bounded with a clear error", () => {
  const depth = 200_000;
  assert.throws(() => parseYamlStream(`${"[".repeat(depth)}${"]".repeat(depth)}`, "deep.yaml"), (e: unknown) => e instanceof InputError && e.file === "deep.yaml");
});

test("List items become objects located inside the list; documents without kind are noted", () => {
  const text = [
    "apiVersion: v1", // 1
    "kind: List", // 2
    "items:", // 3
    "- apiVersion: v1", // 4
    "  kind: Service", // 5
    "  metadata: {name: a, namespace: prod}", // 6
    "- apiVersion: apps/v1", // 7
    "  kind: DeploymentList", // 8
    "  items:", // 9
    "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: b}}", // 10
    "---", // 11
    "foo: bar", // 12
  ].join("\n");
  const { objects, notes } = objectsFromDocuments(parseYamlStream(text, "list.yaml"), { namespace: "team" });
  assert.deepEqual(objects.map((o) => [o.ref.kind, o.ref.namespace, o.ref.name, o.doc.locate([...o.pathPrefix, "metadata"])]), [
    ["Service", "prod", "a", 6],
    ["Deployment", "team", "b", 10],
  ]);
  assert.deepEqual(notes, [{ file: "list.yaml", line: 12, message: "document has no apiVersion/kind; skipped" }]);
});

test("cluster-scoped kinds get no namespace", () => {
  const { objects } = objectsFromDocuments(parseYamlStream("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n", "r.yaml"), { namespace: "x" });
  assert.equal(objects[0]!.ref.namespace, undefined);
});

test("an absent field a finding points at is located at its nearest present ancestor, in block and flow style alike", () => {
  // A Deployment as kubectl prints it, whose pod template has no labels (what a dangling
  // Service's finding points at), padded past the size where only indentation was used before.
  const padding = Array.from({ length: 3000 }, (_, i) => `    note-${i}: "${"x".repeat(20)}"`);
  const text = [
    "apiVersion: apps/v1", // 1
    "kind: Deployment", // 2
    "metadata:", // 3
    "  annotations:", // 4
    ...padding, // 5..3004
    "  name: web", // 3005
    "spec:", // 3006
    "  template:", // 3007
    "    metadata:", // 3008
    "      creationTimestamp: null", // 3009
    "    spec:", // 3010
    "      containers:", // 3011
    "      - name: web", // 3012
    "        ports: [{containerPort: 80}]", // 3013
    "  selector: {matchLabels: {app: web}}", // 3014
  ].join("\n");
  for (const [name, options] of [["small", {}], ["large", { largeDocumentChars: 0 }], ["`yaml` only", { locateWithYaml: true }]] as const) {
    const doc = parseYamlStream(text, "d.yaml", options)[0]!;
    assert.equal(doc.locate(["spec", "template", "metadata", "labels"]), 3008, name);
    assert.equal(doc.locate(["spec", "template", "metadata", "labels", "app"]), 3008, name);
    assert.equal(doc.locate(["spec", "template", "spec", "containers", 0, "name"]), 3012, name);
    assert.equal(doc.locate(["spec", "template", "spec", "containers", 1]), 3011, name);
    assert.equal(doc.locate(["spec", "replicas"]), 3006, name);
    if (name === "large") continue; // indentation alone stops at a flow collection's key
    // Inside flow collections, present and absent fields are found by `yaml`'s node tree.
    assert.equal(doc.locate(["spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"]), 3013, name);
    assert.equal(doc.locate(["spec", "selector", "matchLabels", "app"]), 3014, name);
    assert.equal(doc.locate(["spec", "selector", "matchLabels", "tier"]), 3014, name);
  }
});

test("a List too long to read again per field: the same and other paths of an item, asked again in any order, keep `yaml`'s lines", () => {
  // 400 items of 8 lines: past the length from which BlockLocator keeps a region's index
  // and the entries of its items, and remembers its recent walks.
  const item = (i: number) =>
    [`- apiVersion: v1`, `  kind: Service`, `  metadata:`, `    name: s${i}`, `    "0": quoted`, `  spec:`, `    selector:`, `      app: a${i}`];
  const text = ["apiVersion: v1", "kind: List", "items:", ...Array.from({ length: 400 }, (_, i) => item(i)).flat()].join("\n");
  const reference = parseYamlStream(text, "list.yaml", { locateWithYaml: true })[0]!;
  const large = parseYamlStream(text, "list.yaml", { largeDocumentChars: 0 })[0]!;
  const paths = (i: number) => [
    ["items", i, "spec", "selector", "app"],
    ["items", i, "metadata", "name"],
    ["items", i, "spec", "selector", "tier"],
    ["items", i, "metadata", "0"],
    ["items", i, "metadata", 0],
    ["items", i, "spec", "selector", "app"],
  ];
  for (const i of [399, 0, 200, 0, 399, 7]) {
    for (const path of paths(i)) assert.equal(large.locate(path), reference.locate(path), JSON.stringify(path));
  }
  assert.equal(large.locate(["items", 7, "metadata", "0"]), 4 + 7 * 8 + 4); // the quoted key "0", not the index 0
  assert.equal(large.locate(["items", 7, "metadata", 0]), 4 + 7 * 8 + 2); // no index 0 in a mapping: its parent
});

describe("CustomResourceDefinitions: the schemas no rule reads are not parsed", () => {
  const crd = (schema: string, after = "  scope: Namespaced") =>
    [
      "apiVersion: apiextensions.k8s.io/v1", // 1
      "kind: CustomResourceDefinition", // 2
      "metadata:", // 3
      "  name: widgets.example.com", // 4
      "  labels:", // 5
      "    app.kubernetes.io/name: widgets", // 6
      "spec:", // 7
      "  group: example.com", // 8
      "  names: {kind: Widget, plural: widgets}", // 9
      "  versions:", // 10
      "  - name: v1", // 11
      "    schema:", // 12
      "      openAPIV3Schema:", // 13
      `        description: ${schema}`, // 14
      "        type: object", // 15
      after, // 16
      "status:", // 17
      "  acceptedNames: {kind: ''}", // 18
    ].join("\n");

  test("identity, labels and the rest of the spec are read, every line keeps its number", () => {
    const [doc] = parseYamlStream(crd("a widget"), "crd.yaml");
    assert.deepEqual(doc!.value, {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com", labels: { "app.kubernetes.io/name": "widgets" } },
      spec: { group: "example.com", names: { kind: "Widget", plural: "widgets" }, scope: "Namespaced" },
      status: { acceptedNames: { kind: "" } },
    });
    assert.equal(doc!.locate(["metadata", "labels", "app.kubernetes.io/name"]), 6);
    assert.equal(doc!.locate(["spec", "scope"]), 16);
    assert.equal(doc!.locate(["status", "acceptedNames", "kind"]), 18);
    assert.ok(doc!.text!.includes("openAPIV3Schema"), "the document's text is the file's");
    const [full] = parseYamlStream(crd("a widget"), "crd.yaml", { crdSchemas: true });
    assert.equal((full!.value as { spec: { versions: unknown[] } }).spec.versions.length, 1);
  });

  test("a YAML error inside the schemas is not reported; one outside them is, at its line", () => {
    const [doc] = parseYamlStream(crd('"unterminated: {'), "crd.yaml");
    assert.equal((doc!.value as { metadata: { name: string } }).metadata.name, "widgets.example.com");
    assert.throws(
      () => parseYamlStream(crd("fine", "  scope: [Namespaced"), "crd.yaml"),
      (e: unknown) => e instanceof InputError && e.file === "crd.yaml" && /^YAML syntax error/.test(e.message) && e.line !== undefined && e.line >= 16,
    );
    assert.throws(() => parseYamlStream(crd('"unterminated: {'), "crd.yaml", { crdSchemas: true }), InputError);
  });

  test("a CRD that cannot be cut by its lines alone is parsed in full", () => {
    // Something after the schemas that is no spec field (only a multi-line scalar could put it there).
    const odd = parseYamlStream(crd("a widget", "  notAField: x"), "crd.yaml")[0]!;
    assert.ok(Array.isArray((odd.value as { spec: { versions?: unknown } }).spec.versions));
    // An alias outside the schemas to an anchor inside them.
    const anchored = parseYamlStream(crd("&text Namespaced", "  scope: *text"), "crd.yaml")[0]!;
    assert.ok(Array.isArray((anchored.value as { spec: { versions?: unknown } }).spec.versions));
    assert.equal((anchored.value as { spec: { scope: string } }).spec.scope, "Namespaced");
    // `&&` in a schema's description is no anchor of what is left: the schemas are cut.
    const described = parseYamlStream(crd("a && b"), "crd.yaml")[0]!;
    assert.equal((described.value as { spec: { versions?: unknown } }).spec.versions, undefined);
    // Flow style.
    const flow = parseYamlStream('{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, spec: {versions: [{name: v1}]}}', "crd.yaml")[0]!;
    assert.deepEqual((flow.value as { spec: unknown }).spec, { versions: [{ name: "v1" }] });
  });
});

describe("skipUnreadBodies: ConfigMap and Secret data and PrometheusRule spec are not parsed", () => {
  const configMap = (data: string[], after: string[] = ["immutable: false"]) =>
    ["---", "# Source: shop/templates/dashboards.yaml", "apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: dashboards", "  labels:", "    grafana_dashboard: \"1\"", ...data, ...after].join("\n");
  const skimmed = (text: string) => parseYamlStream(text, "render.yaml", { skipUnreadBodies: true })[0]!;

  test("identity and labels are read, the body is left out, every line keeps its number", () => {
    const text = configMap(["data:", "  a.json: |", "    {\"panels\": [1, 2]}", "# a comment at column 0 inside the body", "  b.json: '{}'"]);
    const doc = skimmed(text);
    assert.deepEqual(doc.value, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dashboards", labels: { grafana_dashboard: "1" } }, immutable: false });
    assert.equal(doc.template, "shop/templates/dashboards.yaml");
    assert.equal(doc.locate(["metadata", "labels", "grafana_dashboard"]), 8);
    assert.equal(doc.locate(["immutable"]), 14);
    assert.equal(doc.text, text, "the document's text is the file's");
    // Without the option (probes and `upgrade` compare bodies), the body is read.
    const whole = parseYamlStream(text, "render.yaml")[0]!;
    assert.deepEqual((whole.value as { data: unknown }).data, { "a.json": '{"panels": [1, 2]}\n', "b.json": "{}" });
  });

  // [what, document, the keys the value keeps]
  const cases: [string, string, string[]][] = [
    ["a Secret's data and stringData", ["apiVersion: v1", "kind: Secret", "metadata:", "  name: s", "type: Opaque", "data:", "  k: dg==", "stringData:", "  s: v"].join("\n"), ["apiVersion", "kind", "metadata", "type"]],
    ["a PrometheusRule's spec", ["apiVersion: monitoring.coreos.com/v1", "kind: PrometheusRule", "metadata:", "  name: r", "spec:", "  groups:", "  - name: g", "    rules: []"].join("\n"), ["apiVersion", "kind", "metadata"]],
    ["quoted kind and apiVersion, CRLF lines", ['apiVersion: "v1"', "kind: 'ConfigMap'", "data:", "  a: b", ""].join("\r\n"), ["apiVersion", "kind"]],
    ["a body on its key's line is read", configMap(["data: {a: b}"]), ["apiVersion", "kind", "metadata", "data", "immutable"]],
    ["another kind's body is read", ["apiVersion: apps/v1", "kind: Deployment", "spec:", "  replicas: 1"].join("\n"), ["apiVersion", "kind", "spec"]],
    ["a ConfigMap of another API group is read", ["apiVersion: example.com/v1", "kind: ConfigMap", "data:", "  a: b"].join("\n"), ["apiVersion", "kind", "data"]],
    ["a line at column 0 that is no top-level field: read in full", configMap(["data:", '  a: "multi', 'line"']), ["apiVersion", "kind", "metadata", "data", "immutable"]],
    ["flow style: read in full", "{apiVersion: v1, kind: ConfigMap, data: {a: b}}", ["apiVersion", "kind", "data"]],
  ];
  for (const [what, text, keys] of cases) {
    test(what, () => {
      assert.deepEqual(Object.keys(skimmed(text).value as object), keys);
    });
  }

  test("an anchor in the body that the rest uses: read in full", () => {
    const unused = skimmed(configMap(["data:", "  a: &shared x"]));
    assert.equal((unused.value as { data?: unknown }).data, undefined);
    const aliased = skimmed(["apiVersion: v1", "kind: ConfigMap", "data:", "  a: &name x", "metadata:", "  name: *name"].join("\n"));
    assert.deepEqual(aliased.value, { apiVersion: "v1", kind: "ConfigMap", data: { a: "x" }, metadata: { name: "x" } });
  });

  test("a YAML error outside the body is reported at its line; inside it, it is left to helm", () => {
    assert.throws(
      () => skimmed(configMap(["data:", "  a: b"], ["immutable: [false"])),
      (e: unknown) => e instanceof InputError && e.file === "render.yaml" && e.line !== undefined && e.line >= 11,
    );
    const inBody = skimmed(configMap(["data:", "  a: [unterminated"]));
    assert.equal((inBody.value as { data?: unknown }).data, undefined);
    // A tab at column 0 is not cut around: the syntax error is reported as without the option.
    assert.throws(() => skimmed(configMap(["data:", "\tx: y"], [])), InputError);
  });
});

test("a document parsed before is not parsed again: its value is shared, its place and lines are its own", () => {
  const deployment = ["# Source: web/templates/deployment.yaml", "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: web", "spec:", "  replicas: 2"].join("\n");
  const service = ["# Source: web/templates/service.yaml", "apiVersion: v1", "kind: Service", "metadata:", "  name: web"].join("\n");
  const base = parseYamlStream(`---\n${deployment}\n---\n${service}\n`, "base");
  const parsed = parsedByText(base);
  const changed = service.replace("name: web", "name: web-cgchart");
  const probe = parseYamlStream(`---\n${changed}\n---\n${deployment}\n`, "probe", { parsed });
  assert.equal(probe[1]!.value, base[0]!.value, "the same text shares the value");
  assert.deepEqual(
    probe.map((doc) => [doc.file, doc.index, doc.startLine, doc.template]),
    [["probe", 0, 1, "web/templates/service.yaml"], ["probe", 1, 7, "web/templates/deployment.yaml"]],
  );
  assert.equal(probe[1]!.locate(["spec", "replicas"]), 14);
  assert.equal(base[0]!.locate(["spec", "replicas"]), 8);
  assert.notEqual(probe[0]!.value, base[1]!.value, "a changed document is parsed");
  assert.equal((probe[0]!.value as { metadata: { name: string } }).metadata.name, "web-cgchart");
});

test("a stream given as UTF-8 bytes reads as the same text decoded: values, lines, texts and errors (each document decoded on its own)", () => {
  const streams = [
    ["---", "# Source: web/templates/a.yaml", "apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}", "data: {k: plain}"].join("\n"),
    [
      "\uFEFFapiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: quotes}",
      "data:",
      "  note: \u201cquoted\u201d \u2013 caf\u00e9 \u{1F680}",
      "---",
      "apiVersion: v1",
      "kind: Service",
      "metadata:",
      "  name: after",
      "  labels: {app: \u00e9t\u00e9}",
      "...",
      "---",
      "kind: Secret",
      "metadata: {name: last}",
    ].join("\r\n"),
    // A CRD, its schemas cut from the bytes: the parts kept decoded as UTF-8, the whole text only when read.
    [
      "---",
      "# Source: web/charts/crds/crds/widgets.yaml",
      "apiVersion: apiextensions.k8s.io/v1",
      "kind: CustomResourceDefinition",
      "metadata:",
      "  name: widgets.example.com",
      "  annotations: {note: \u00e9t\u00e9}",
      "spec:",
      "  group: example.com",
      "  versions:",
      "  - name: v1",
      "    schema:",
      "      openAPIV3Schema:",
      "        description: \u201ca widget\u201d",
      "  scope: Namespaced",
      "---",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: \u00e0-c\u00f4t\u00e9}",
    ].join("\n"),
  ];
  for (const stream of streams) {
    const fromText = parseYamlStream(stream, "render.yaml");
    const fromBytes = parseYamlStream(Buffer.from(stream, "utf8"), "render.yaml");
    assert.deepEqual(
      fromBytes.map((doc) => [doc.value, doc.startLine, doc.template, doc.sourceCommentLine, doc.mentions("openAPIV3Schema"), doc.locate(["metadata", "name"]), doc.text]),
      fromText.map((doc) => [doc.value, doc.startLine, doc.template, doc.sourceCommentLine, doc.mentions("openAPIV3Schema"), doc.locate(["metadata", "name"]), doc.text]),
    );
  }
  const [crd] = parseYamlStream(Buffer.from(streams[2]!, "utf8"), "render.yaml");
  assert.deepEqual([crd!.template, crd!.sourceCommentLine, crd!.mentions("openAPIV3Schema"), crd!.mentions("chartguard-ignore")], ["web/charts/crds/crds/widgets.yaml", 2, true, false]);
  assert.deepEqual(crd!.value, {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com", annotations: { note: "\u00e9t\u00e9" } },
    spec: { group: "example.com", scope: "Namespaced" },
  });
  assert.equal(crd!.locate(["spec", "scope"]), 15);
  const broken = "a: 1\n---\nnote: \u201cx\u201d\nb: [\n";
  const failure = (input: string | Buffer) => {
    try {
      parseYamlStream(input, "render.yaml");
    } catch (error) {
      return error instanceof InputError ? [error.message, error.file, error.line, error.column] : error;
    }
    return undefined;
  };
  assert.equal((failure(broken) as unknown[])[2], 5, "the unclosed flow sequence, at the end of its document");
  assert.deepEqual(failure(Buffer.from(broken)), failure(broken));
});

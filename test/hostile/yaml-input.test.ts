/**
 * Hostile and broken YAML through the real CLI: every refusal is one line naming the file
 * (and line and column, where there is one), exit 2, nothing on stdout, no stack trace,
 * bounded time, and nothing left in the temp dir.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, test } from "node:test";
import { once } from "node:events";
import { InputError } from "../../src/errors.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { assertRefused, assertTempClean, cli, tempDir, writeFile } from "./support.ts";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

const mismatched = (name: string) =>
  [
    "apiVersion: apps/v1",
    "kind: Deployment",
    `metadata: {name: ${name}}`,
    "spec:",
    "  selector: {matchLabels: {app: web}}",
    "  template: {metadata: {labels: {app: other}}}",
  ].join("\n");

describe("YAML syntax", () => {
  test("a syntax error names file:line:column, counted from the start of the file in a stream", () => {
    const file = writeFile(tempDir(), "stream.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y: z\n");
    assertRefused(cli(["check", file]), { file, line: 9, column: 9, message: /^YAML syntax error: Nested mappings are not allowed/ });
  });

  test("tabs used for indentation are a syntax error at their line", () => {
    const file = writeFile(tempDir(), "tabs.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n");
    assertRefused(cli(["check", file]), { file, line: 4, column: 1, message: /^YAML syntax error: Tabs are not allowed as indentation$/ });
  });

  test("duplicate keys: the last value wins as in Kubernetes, and a note names the line", () => {
    const file = writeFile(tempDir(), "dup.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n  name: second\n");
    const run = cli(["check", "-o", "json", file]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "");
    const report = JSON.parse(run.stdout) as { notes: { file: string; line: number; message: string }[] };
    assert.deepEqual(report.notes, [{ file, line: 5, message: 'duplicate key "name": Kubernetes keeps the last value' }]);
    assertTempClean(run.tmp);
  });
});

describe("documents built to exhaust the parser", () => {
  test("billion laughs (9 levels of 10 aliases) is refused in well under a few seconds", () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
    }
    const file = writeFile(tempDir(), "laughs.yaml", `${lines.join("\n")}\n`);
    assertRefused(cli(["check", file]), { file, message: /^YAML aliases expand to too many nodes/ });
  });

  test("an alias bomb small enough for the fast parser (63 aliases) is refused too, also by upgrade", () => {
    const lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: bomb}", "data:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const name = String.fromCharCode(97 + i);
      lines.push(`  ${name}: &${name} [${Array(7).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
    }
    const file = writeFile(tempDir(), "bomb.yaml", `${lines.join("\n")}\n`);
    const refusal = { file, message: /^YAML aliases expand to too many nodes/ };
    assertRefused(cli(["check", file]), refusal);
    // upgrade compares values deeply: before the bound, this ran out of memory.
    assertRefused(cli(["upgrade", "--from", file, "--to", file]), refusal);
  });

  test("a recursive alias (a node that contains itself) is refused at its line, as Kubernetes refuses it", () => {
    const text = "apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: loop\n  annotations: *m\n";
    const file = writeFile(tempDir(), "loop.yaml", text);
    assertRefused(cli(["check", file]), { file, line: 5, message: /^YAML alias refers to a node that contains it/ });
    // Many alias-like tokens send a document to the `yaml` parser (as alias-heavy input); it refuses the loop too.
    assertRefused(cli(["check", "-"], { input: `${text}${"# *m ".repeat(70)}\n` }), {
      file: "<stdin>",
      message: /^YAML alias \*m refers to a node that contains it/,
    });
  });

  for (const [shape, text] of [
    ["flow sequences", `${"[".repeat(200_000)}${"]".repeat(200_000)}\n`],
    ["flow mappings", `${"{a: ".repeat(200_000)}1${"}".repeat(200_000)}\n`],
    ["block sequences", `${"- ".repeat(200_000)}x\n`],
  ] as const) {
    test(`200k-deep nesting of ${shape} is refused quickly`, () => {
      const file = writeFile(tempDir(), "deep.yaml", text);
      assertRefused(cli(["check", file]), { file, line: 1, message: /^YAML nesting deeper than 1000 levels$/ });
    });
  }

  test("nesting past the limit on a later line names that line", () => {
    const lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: x}", "data:"];
    for (let i = 0; i < 1200; i++) lines.push(`${" ".repeat(2 + i)}k${i}:`);
    const file = writeFile(tempDir(), "deep-block.yaml", `${lines.join("\n")} 1\n`);
    const run = cli(["check", file]);
    assertRefused(run, { file, message: /^YAML nesting deeper than 1000 levels$/ });
    const line = Number(/:(\d+): /.exec(run.stderr)?.[1]);
    assert.ok(line > 900 && line <= lines.length, `line ${line}`);
  });

  test("a 100 MB document (one kubectl-style List) is read in bounded time and memory, with exact lines", async () => {
    const dir = tempDir();
    const file = join(dir, "cluster.yaml");
    const out = createWriteStream(file);
    out.write("apiVersion: v1\nkind: List\nitems:\n");
    const pad = "x".repeat(400);
    let size = 0;
    let items = 0;
    let lines = 3;
    while (size < 100 * 1024 * 1024) {
      const item = [
        "- apiVersion: apps/v1",
        "  kind: Deployment",
        "  metadata:",
        `    name: web-${items}`,
        "  spec:",
        "    selector:",
        "      matchLabels:",
        `        app: web-${items}`,
        "    template:",
        "      metadata:",
        "        labels:",
        `          app: web-${items}`,
        "      spec:",
        "        containers:",
        "        - name: app",
        "          image: nginx:1.27",
        "          env:",
        `          - {name: PAD, value: "${pad}"}`,
        "",
      ].join("\n");
      if (!out.write(item)) await once(out, "drain");
      size += item.length;
      lines += 18;
      items++;
    }
    // The last item's pod labels do not match its selector: the finding must point at them.
    const last = ["- apiVersion: apps/v1", "  kind: Deployment", "  metadata:", "    name: last", "  spec:", "    selector:", "      matchLabels: {app: last}", "    template:", "      metadata:", "        labels:", "          app: other", ""];
    out.end(last.join("\n"));
    await once(out, "finish");
    const run = cli(["check", "-o", "json", file]);
    assert.equal(run.status, 1, run.stderr.slice(0, 2000));
    assert.equal(run.stderr, "");
    const report = JSON.parse(run.stdout) as { findings: { rule: string; object: { name: string }; location: { line: number } }[] };
    assert.deepEqual(
      report.findings.map((f) => [f.rule, f.object.name, f.location.line]),
      [["selector-mismatch", "last", lines + 10]],
    );
    assert.ok(run.ms < 90_000, `took ${run.ms} ms`);
    assertTempClean(run.tmp);
  });
});

describe("files that are not YAML text", () => {
  test("a binary file is refused by name", () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const file = writeFile(tempDir(), "logo.yaml", png);
    assertRefused(cli(["check", file]), { file, message: /^binary file \(contains NUL bytes\), not YAML$/ });
  });

  test("non-UTF-8 text (Latin-1, UTF-16) is refused with what to do", () => {
    const dir = tempDir();
    const latin1 = writeFile(dir, "latin1.yaml", Buffer.from("metadata:\n  name: caf\xe9\n", "latin1"));
    assertRefused(cli(["check", latin1]), { file: latin1, message: /^not UTF-8 text; save the file as UTF-8$/ });
    const utf16 = writeFile(dir, "utf16.yaml", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("apiVersion: v1\n", "utf16le")]));
    assertRefused(cli(["check", utf16]), { file: utf16, message: /^UTF-16 text .*save the file as UTF-8$/ });
  });

  test("a device is refused, not read forever; an endless stdin stops at the size limit; a pipe is read", () => {
    assertRefused(cli(["check", "/dev/zero"]), { file: "/dev/zero", message: /^not a regular file \(a character device\); only stdin \(-\) is read as a stream$/ });
    const endless = spawnSync("sh", ["-c", `exec "$0" --import "$1" "$2" check - < /dev/zero`, process.execPath, import.meta.resolve("tsx"), MAIN], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 60_000,
    });
    assert.equal(endless.status, 2, endless.stderr);
    assert.equal(endless.stderr, "chartguard: <stdin>: larger than 256 MB; split it into several files\n");
    // A pipe the shell opened (`check <(helm template ...)`, /dev/fd/N) is read; a named FIFO is refused (test/hostile/bounds.test.ts).
    const run = spawnSync("bash", ["-c", `exec "$0" --import "$1" "$2" check <(printf '%s\\n' "$3")`, process.execPath, import.meta.resolve("tsx"), MAIN, mismatched("piped")], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 60_000,
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /selector-mismatch +Deployment\/piped +/);
  });

  test("empty files, and files of comments and markers only, hold nothing to check: exit 0, no error", () => {
    const dir = tempDir();
    const empty = writeFile(dir, "empty.yaml", "");
    const markers = writeFile(dir, "markers.yaml", "---\n# Source: x/templates/empty.yaml\n---\n...\n");
    const run = cli(["check", empty, markers]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /No label or selector problems found/);
  });

  test("a byte-order mark and CRLF line ends are read as plain text, with the right lines", () => {
    const file = writeFile(tempDir(), "windows.yaml", `\uFEFF${mismatched("web").replaceAll("\n", "\r\n")}\r\n`);
    const run = cli(["check", "-o", "json", file]);
    assert.equal(run.status, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { findings: { rule: string; location: { line: number } }[] };
    assert.deepEqual(report.findings.map((f) => [f.rule, f.location.line]), [["selector-mismatch", 6]]);
  });
});

describe("documents too large for the positioned parser (over 8 MB; here forced)", () => {
  const large = { largeDocumentChars: 0 };

  test("a duplicate key: the last value wins and the first duplicate is noted at its line", () => {
    const [doc] = parseYamlStream("metadata:\n  name: a\n  labels: {x: z}\n  name: b\n", "big.yaml", large);
    assert.deepEqual(doc!.value, { metadata: { name: "b", labels: { x: "z" } } });
    assert.deepEqual(doc!.duplicateKeys, [{ key: "name", line: 4 }]);
  });

  test("fields are found by indentation on the lines `yaml` gives, keys read as Kubernetes reads them", () => {
    const text = [
      "kind: List", // 1
      "items:", // 2
      "- metadata:", // 3
      "    name: a", // 4
      "    labels:", // 5
      "      yes: plain-yes", // 6: YAML 1.1 reads the key as true
      '      "app": quoted', // 7
      "      app: again", // 8: the last of duplicate keys wins
      "  spec:", // 9
      "    ports:", // 10
      "    - port: 80", // 11: an indentless sequence, a compact mapping
      "      name: http", // 12
      "    # a comment at the keys' column", // 13
      "    selector: {a: b}", // 14
      "- kind: Service", // 15
    ].join("\n");
    const [doc] = parseYamlStream(text, "big.yaml", large);
    const cases: [string, (string | number)[], number][] = [
      ["a key YAML reads as true", ["items", 0, "metadata", "labels", "true"], 6],
      ["a key written as it reads", ["items", 0, "metadata", "labels", "yes"], 5],
      ["a duplicate key, quoted first", ["items", 0, "metadata", "labels", "app"], 8],
      ["a key after an indentless sequence", ["items", 0, "spec", "selector"], 14],
      ["a compact mapping's second key", ["items", 0, "spec", "ports", 0, "name"], 12],
      ["an item past the end", ["items", 0, "spec", "ports", 1], 10],
      ["the second item", ["items", 1, "kind"], 15],
      ["a key inside a flow mapping: its nearest block ancestor", ["items", 0, "spec", "selector", "a"], 14],
    ];
    for (const [what, path, line] of cases) assert.equal(doc!.locate(path), line, what);
  });

  test("a syntax error names its line and column; so does one after a duplicate key", () => {
    for (const text of ["a: 1\nb: [1, 2\nc: 3\n", "a: 1\na: 2\n  b: 3\n"]) {
      assert.throws(
        () => parseYamlStream(text, "big.yaml", large),
        (error: unknown) => error instanceof InputError && error.file === "big.yaml" && error.line !== undefined && error.column !== undefined && /^YAML syntax error: /.test(error.message),
        text,
      );
    }
  });
});

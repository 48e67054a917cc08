/**
 * The pipeline runs one way: load → render → model → analyze → report. A module of a stage
 * imports modules of its own or earlier stages and the shared leaves (errors, interrupt,
 * version), never a later stage nor the orchestration around the stages (src/*.ts, cli/,
 * config/); and no module imports itself through others. Read from the import graph of
 * src/ as TypeScript's own pre-processor lists it (`import type` and re-exports count).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { PROJECT_ROOT } from "../helpers/cli.ts";

const STAGES = ["load", "render", "model", "analyze", "report"] as const;
const SHARED = new Set(["src/errors.ts", "src/interrupt.ts", "src/version.ts"]);
const ORCHESTRATION_FOLDERS = new Set(["cli", "config"]);

type Graph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith(".ts") ? [relative] : [];
  });
}

/** Every src/ module and the src/ modules it imports (relative specifiers only: packages are not ours). */
function importGraph(): Graph {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles("src")) {
    const text = readFileSync(path.join(PROJECT_ROOT, file), "utf8");
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith(".") && specifier.endsWith(".ts"))
      .map((specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The stage a module belongs to (its index in STAGES), "orchestration", or "shared". */
function layerOf(file: string): number | "orchestration" | "shared" | "other" {
  if (SHARED.has(file)) return "shared";
  const parts = file.split("/");
  if (parts.length === 2) return "orchestration";
  const stage = STAGES.indexOf(parts[1] as (typeof STAGES)[number]);
  if (stage >= 0) return stage;
  return ORCHESTRATION_FOLDERS.has(parts[1]!) ? "orchestration" : "other";
}

/** Imports against the pipeline, and cycles (strongly connected groups of more than one module, or a module importing itself). */
export function violations(graph: Graph): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    const fromLayer = layerOf(from);
    if (typeof fromLayer !== "number") continue;
    for (const to of targets) {
      const toLayer = layerOf(to);
      if ((typeof toLayer === "number" && toLayer > fromLayer) || toLayer === "orchestration") found.push(`against: ${from} -> ${to}`);
    }
  }
  for (const group of stronglyConnected(graph)) {
    if (group.length > 1 || graph.get(group[0]!)?.includes(group[0]!)) found.push(`cycle: ${[...group].sort().join(" <-> ")}`);
  }
  return found.sort();
}

/** Tarjan's algorithm, iterative over the node list, recursive per path (src/ is shallow). */
function stronglyConnected(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    groups.push(group);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return groups;
}

test("imports: the checker reports an import against the pipeline, one into the orchestration, and cycles", () => {
  const graph = new Map([
    ["src/load/a.ts", ["src/render/b.ts", "src/errors.ts"]],
    ["src/render/b.ts", ["src/load/a.ts", "src/load/c.ts"]],
    ["src/load/c.ts", []],
    ["src/analyze/d.ts", ["src/model/e.ts", "src/check.ts", "src/render/b.ts"]],
    ["src/model/e.ts", ["src/model/e.ts"]],
    ["src/check.ts", ["src/report/f.ts", "src/analyze/d.ts"]],
    ["src/report/f.ts", ["src/analyze/d.ts", "src/config/g.ts"]],
    ["src/config/g.ts", []],
  ]);
  assert.deepEqual(violations(graph), [
    "against: src/analyze/d.ts -> src/check.ts",
    "against: src/load/a.ts -> src/render/b.ts",
    "against: src/report/f.ts -> src/config/g.ts",
    "cycle: src/analyze/d.ts <-> src/check.ts <-> src/report/f.ts",
    "cycle: src/load/a.ts <-> src/render/b.ts",
    "cycle: src/model/e.ts",
  ]);
});

test("imports: src/ runs load → render → model → analyze → report, with no cycle", () => {
  const graph = importGraph();
  // The graph is read for real: every stage has modules, and they import each other.
  for (const stage of STAGES) assert.ok([...graph.keys()].some((file) => file.startsWith(`src/${stage}/`)), `no module in src/${stage}/`);
  assert.ok([...graph.values()].reduce((sum, targets) => sum + targets.length, 0) > 100, "fewer than 100 imports read");
  assert.deepEqual(violations(graph), []);
});

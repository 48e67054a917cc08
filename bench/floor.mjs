// The floors `npm run bench` compares chartguard with, as plain processes (no tsx, no
// chartguard code). Each prints nothing; the parent times the whole process.
//
//   node bench/floor.mjs js-yaml FILE     the floor for cluster dumps: js-yaml 4 `loadAll` of the
//                                         file with DEFAULT_SCHEMA and its position `listener` on,
//                                         recording the offset of every node (the fastest way the
//                                         library gives values and positions)
//   node bench/floor.mjs yaml FILE        for reference: the `yaml` package, streaming Parser +
//                                         Composer with a LineCounter (positions), YAML 1.1
//   node bench/floor.mjs helm DIR JOBS HELM
//                                         the floor for charts: plain `helm template` of every chart
//                                         (a directory with Chart.yaml) below DIR, JOBS at once,
//                                         output read in full
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [mode, target, ...rest] = process.argv.slice(2);

if (mode === "js-yaml") {
  const { default: jsyaml } = await import("js-yaml");
  const text = readFileSync(target, "utf8");
  let offsets = new Uint32Array(1 << 16);
  let count = 0;
  const listener = function (event, state) {
    if (event !== "open") return;
    if (count === offsets.length) {
      const grown = new Uint32Array(offsets.length * 2);
      grown.set(offsets);
      offsets = grown;
    }
    offsets[count++] = state.position;
  };
  let documents = 0;
  jsyaml.loadAll(text, () => documents++, { listener });
  if (documents === 0 || count === 0) process.exitCode = 1;
} else if (mode === "yaml") {
  const { Composer, LineCounter, Parser } = await import("yaml");
  const text = readFileSync(target, "utf8");
  const lineCounter = new LineCounter();
  const composer = new Composer({ version: "1.1", uniqueKeys: false });
  let documents = 0;
  for (const doc of composer.compose(new Parser(lineCounter.addNewLine).parse(text), true)) {
    if (doc.contents !== null) documents++;
  }
  if (documents === 0) process.exitCode = 1;
} else if (mode === "helm") {
  const [jobs, helm] = rest;
  const charts = [];
  const walk = (dir) => {
    if (existsSync(join(dir, "Chart.yaml"))) return void charts.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && !entry.name.startsWith(".")) walk(join(dir, entry.name));
    }
  };
  walk(target);
  const render = (chart) =>
    new Promise((resolve, reject) => {
      const name = chart.split("/").pop();
      const child = spawn(helm, ["template", "--namespace=default", "--include-crds", "--", name, chart], { stdio: ["ignore", "pipe", "pipe"] });
      const out = [];
      child.stdout.on("data", (chunk) => out.push(chunk));
      child.stderr.resume();
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(out).toString("utf8")) : reject(new Error(`helm template ${chart}: exit ${code}`))));
    });
  let next = 0;
  const worker = async () => {
    while (next < charts.length) await render(charts[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(jobs)) }, worker));
  if (charts.length === 0) process.exitCode = 1;
} else {
  process.stderr.write("usage: node bench/floor.mjs js-yaml|yaml FILE | helm DIR JOBS HELM\n");
  process.exitCode = 2;
}

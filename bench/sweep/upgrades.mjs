// The upgrade sweep of issue #11: for each chart, the major version bumps of its Chart.yaml in
// git history, each run as `chartguard upgrade --from OLD --to NEW` between the last commit of
// the previous major and the first commit of the new one. Maintainers document breaking
// upgrades, so its error findings can be judged against what they wrote.
// Usage: node bench/sweep/upgrades.mjs --charts /work/charts --mirrors /work/.mirror --out DIR
//        [--jobs 2] [--only REGEX] [--years 3] [--pairs 3] [--helm PATH] [--timeout SECONDS]
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, normalize, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { assembleDeep, chartMeta, findCharts, findingCells, firstErrorLine, gitDir, markCheckout, reportFindings, run, commitInRange } from "./common.mjs";
import { UPGRADE_FINDING_COLUMNS, UPGRADE_RESULT_COLUMNS, inPool, previousRuns, tsvLine, writeSorted } from "./tsv.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values: args } = parseArgs({
  options: {
    charts: { type: "string", default: "/work/charts" },
    mirrors: { type: "string", default: "/work/.mirror" },
    out: { type: "string" },
    jobs: { type: "string", default: "2" },
    only: { type: "string" },
    years: { type: "string", default: "3" },
    pairs: { type: "string", default: "3" },
    helm: { type: "string", default: join(root, ".cache/helm/v4/helm") },
    timeout: { type: "string", default: "300" },
  },
});
if (args.out === undefined) throw new Error("--out DIR is required");
const timeoutSeconds = Number(args.timeout);

const git = (dir, ...argv) =>
  execFileSync("git", ["--git-dir", dir, ...argv], { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] });

/**
 * The chart's major bumps, newest first: for each commit whose Chart.yaml `version:` has a
 * greater major than the commit before it, that commit and the commit that set the version before it.
 */
function majorBumps(repoGit, chartPath) {
  const log = git(repoGit, "log", "--format=C %H %ct", "-p", "-U0", "--", `${chartPath}/Chart.yaml`);
  const commits = [];
  for (const line of log.split("\n")) {
    const header = /^C ([0-9a-f]{40}) (\d+)$/.exec(line);
    if (header !== null) commits.push({ commit: header[1], time: Number(header[2]), version: undefined });
    const version = /^\+version:\s*["']?v?([^"'\s#]+)/.exec(line);
    if (version !== null && commits.length > 0) commits.at(-1).version = version[1];
  }
  commits.reverse(); // oldest first; a commit that left `version:` alone keeps the one before
  commits.forEach((entry, index) => (entry.version ??= commits[index - 1]?.version));
  const major = (entry) => Number.parseInt(String(entry?.version), 10);
  const since = Date.now() / 1000 - Number(args.years) * 365 * 24 * 3600;
  // The old version as released: the commit that set it (charts are released when their version
  // changes), not the last one before the bump, which may already carry the next release's images.
  const released = (index) => {
    let first = index;
    while (first > 0 && commits[first - 1].version === commits[index].version) first--;
    return commits[first];
  };
  return commits
    .map((to, index) => ({ from: index > 0 ? released(index - 1) : undefined, to }))
    .filter(({ from, to }) => from !== undefined && to.time >= since && major(to) > major(from))
    // A commit that deleted the chart, or one of a chart that lived at this path before: no pair.
    .filter(({ from, to }) => hasChart(repoGit, from.commit, chartPath) && hasChart(repoGit, to.commit, chartPath))
    .reverse()
    .slice(0, Number(args.pairs));
}

function hasChart(repoGit, commit, chartPath) {
  try {
    git(repoGit, "cat-file", "-e", `${commit}:${chartPath}/Chart.yaml`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Extracts the chart folder at `commit` into `into` (paths kept), with the folders that its
 * dependencies name, a sibling of that name or a file:// path, and theirs in turn.
 */
function archiveChart(repoGit, commit, chartPath, into, seen = new Set()) {
  if (seen.has(chartPath)) return;
  seen.add(chartPath);
  execFileSync("bash", ["-c", 'git --git-dir="$1" archive "$2" "$3" | tar -x -C "$4"', "archive", repoGit, commit, chartPath, into]);
  let meta = {};
  try {
    meta = parse(git(repoGit, "show", `${commit}:${chartPath}/Chart.yaml`), { logLevel: "error" }) ?? {};
  } catch {
    return; // helm and chartguard report an unparsable Chart.yaml
  }
  for (const dependency of meta.dependencies ?? []) {
    const repository = String(dependency.repository ?? "");
    const local = repository.startsWith("file://") ? normalize(join(chartPath, repository.slice("file://".length))) : undefined;
    const candidate = local ?? join(dirname(chartPath), String(dependency.name));
    if (candidate.startsWith("..") || existsSync(join(into, chartPath, "charts", String(dependency.name)))) continue;
    const source = commitInRange(repoGit, commit, candidate, dependency.version);
    if (source === undefined) continue; // found nowhere: assembleDeep leaves it out and says so
    archiveChart(repoGit, source, candidate, into, seen);
  }
}


/** The chart as it was at `commit`, ready to render: its folder, and the dependencies left out. */
function chartAt(repoGit, repository, chartPath, commit, scratch, side) {
  const tree = join(scratch, side);
  mkdirSync(join(tree, repository), { recursive: true });
  markCheckout(join(tree, repository));
  archiveChart(repoGit, commit, chartPath, join(tree, repository));
  const source = join(tree, repository, chartPath);
  const copy = join(scratch, `${side}-assembled`, basename(chartPath));
  const { vendored, dropped } = assembleDeep(source, copy, findCharts(join(tree, repository)), tree);
  return { dir: vendored.length + dropped.length === 0 ? source : copy, dropped };
}

async function upgradeOne({ name, repoGit, repository, chartPath, from, to }) {
  const scratch = mkdtempSync(join(tmpdir(), "sweep-upgrade-"));
  try {
    const old = chartAt(repoGit, repository, chartPath, from.commit, scratch, "from");
    const fresh = chartAt(repoGit, repository, chartPath, to.commit, scratch, "to");
    const result = await run(process.execPath, [join(root, "dist/cli/main.js"), "upgrade", "--from", old.dir, "--to", fresh.dir,
      "-o", "json", "--no-config", "--helm", args.helm, "--helm-timeout", String(timeoutSeconds)], scratch, timeoutSeconds);
    const findings = reportFindings(result);
    const versions = [from.version, to.version];
    appendFileSync(join(args.out, "findings.tsv"), findings.map((finding) =>
      tsvLine(["", name, "default", ...findingCells(finding), ...versions, finding.baselineState ?? ""])).join(""));
    const errorLine = result.exit === "0" || result.exit === "1" ? "" : firstErrorLine(result);
    const dropped = [...new Set([...old.dropped, ...fresh.dropped])].join(",");
    appendFileSync(join(args.out, "results.tsv"),
      tsvLine([name, ...versions, from.commit, to.commit, result.exit, result.seconds, errorLine, dropped]));
    console.log(`${name} ${from.version} → ${to.version}: exit ${result.exit} ${findings.length} findings ${result.seconds}s`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

mkdirSync(args.out, { recursive: true });
const runKey = (row) => [row.chart, row["from-version"], row["to-version"]].join("\t");
const tables = { out: args.out, key: runKey, resultColumns: UPGRADE_RESULT_COLUMNS, findingColumns: UPGRADE_FINDING_COLUMNS };
const previous = previousRuns(tables);
writeSorted(tables, previous);
const only = args.only === undefined ? undefined : new RegExp(args.only);
const charts = findCharts(resolve(args.charts)).sort()
  .filter((chart) => chartMeta(chart).type !== "library")
  .map((chart) => relative(resolve(args.charts), chart))
  .filter((name) => only === undefined || only.test(name));
const pairs = charts.flatMap((name) => {
  const [repository, ...rest] = name.split("/");
  const repoGit = gitDir(join(args.mirrors, repository));
  if (repoGit === undefined || rest.length === 0) return [];
  const chartPath = rest.join("/");
  return majorBumps(repoGit, chartPath).map((pair) => ({ name, repoGit, repository, chartPath, ...pair }));
}).filter((pair) => !previous.done.has(runKey({ chart: pair.name, "from-version": pair.from.version, "to-version": pair.to.version })));
console.log(`${pairs.length} upgrades to run, ${previous.done.size} done before`);
await inPool(pairs, Number(args.jobs), upgradeOne);
writeSorted(tables, previousRuns(tables));

// What run.mjs and upgrades.mjs share: finding charts, vendoring their dependencies, running
// the compiled CLI with a hard timeout, and turning its findings into rows.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { tsImport } from "tsx/esm/api";
import { parse } from "yaml";
import semver from "semver";

const { assembleChart, localDependency } = await tsImport("../real-chart.ts", import.meta.url);

/** Chart folders under `dir`, library charts included, but no subchart in another chart's charts/. */
export function findCharts(dir, found = []) {
  const entries = readdirSync(dir, { withFileTypes: true });
  const isChart = entries.some((entry) => entry.isFile() && entry.name === "Chart.yaml");
  if (isChart) found.push(dir);
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name === ".git" || entry.name === "node_modules") continue;
    if (isChart && entry.name === "charts") continue;
    findCharts(join(dir, entry.name), found);
  }
  return found;
}

export function chartMeta(dir) {
  try {
    return parse(readFileSync(join(dir, "Chart.yaml"), "utf8"), { logLevel: "error" }) ?? {};
  } catch {
    return {}; // an unparsable Chart.yaml is still a chart: chartguard and helm report it
  }
}

const gitText = (dir, ...argv) =>
  execFileSync("git", ["--git-dir", dir, ...argv], { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] });

/**
 * The newest commit, at or before `commit`, whose `chartPath/Chart.yaml` has a version within
 * `range`: the dependency a repository's CI would have pulled at that time. A sibling folder
 * moves on with the repository (lgtm-distributed pins loki-distributed ^0.74.3 while its
 * sibling is 0.77), and helm applies no alias to a vendored chart outside the range.
 */
export function commitInRange(repoGit, commit, chartPath, range) {
  const versionAt = (at) => {
    try {
      return String(parse(gitText(repoGit, "show", `${at}:${chartPath}/Chart.yaml`), { logLevel: "error" })?.version ?? "");
    } catch {
      return undefined;
    }
  };
  const current = versionAt(commit);
  if (current === undefined || satisfiesRange(current, range)) return current === undefined ? undefined : commit;
  const history = gitText(repoGit, "log", "--format=%H", commit, "--", `${chartPath}/Chart.yaml`).split("\n").filter(Boolean);
  return history.find((at) => {
    const version = versionAt(at);
    return version !== undefined && satisfiesRange(version, range);
  }) ?? commit;
}

/**
 * The dependency `found` as of the newest commit of its repository's mirror at which its
 * version meets `range`, extracted once under the system's temporary folder; undefined when
 * `found` meets it already or no mirror has it. A dependency taken from there finds its own
 * dependencies among its siblings at that commit only.
 */
function inRangeCopy(found, range, chartsRoot, mirrors) {
  if (satisfiesRange(String(chartMeta(found).version ?? ""), range)) return undefined;
  const [repository, ...rest] = relative(chartsRoot, found).split("/");
  const git = gitDir(join(mirrors, repository));
  if (git === undefined || rest.length === 0) return undefined;
  const pathInRepo = rest.join("/");
  const commit = commitInRange(git, "HEAD", pathInRepo, range);
  if (commit === undefined || commit === "HEAD") return undefined;
  const tree = join(tmpdir(), "sweep-versions", repository, commit);
  if (!existsSync(join(tree, pathInRepo, "Chart.yaml"))) {
    mkdirSync(tree, { recursive: true });
    execFileSync("bash", ["-c", 'git --git-dir="$1" archive "$2" "$3" | tar -x -C "$4"', "archive", git, commit, pathInRepo, tree]);
  }
  return join(tree, pathInRepo);
}

/**
 * Where a dependency is, as a repository's own CI finds it: the folder a `file://` repository
 * names, else the sibling folder of that name, else the chart of that name elsewhere in the
 * same repository (newrelic keeps its common-library under library/). `chartsRoot` holds one
 * folder per repository.
 */
function locatorFor(source, allCharts, chartsRoot, mirrors) {
  const repository = relative(chartsRoot, source).split("/")[0];
  const dependencies = chartMeta(source).dependencies ?? [];
  const ranges = new Map(dependencies.map((dependency) => [String(dependency.name), dependency.version]));
  const local = new Map(dependencies.map((dependency) => [String(dependency.name), localDependency(source, dependency.repository)]));
  // Never the chart itself: mongodb's helpers/cert-manager depends on jetstack's cert-manager.
  const itself = resolve(source);
  const locate = (name) => {
    const named = local.get(name);
    if (named !== undefined && existsSync(join(named, "Chart.yaml"))) return named;
    const sibling = resolve(dirname(source), name);
    if (sibling !== itself && existsSync(join(sibling, "Chart.yaml"))) return sibling;
    return allCharts.find((chart) => resolve(chart) !== itself && relative(chartsRoot, chart).split("/")[0] === repository && chartMeta(chart).name === name);
  };
  return (name) => {
    const found = locate(name);
    return found === undefined || mirrors === undefined ? found : (inRangeCopy(found, ranges.get(name), chartsRoot, mirrors) ?? found);
  };
}

/**
 * Copies the chart with its dependencies vendored where locatorFor finds them, and their own
 * dependencies in turn (a bitnami chart's postgresql needs bitnami's common too).
 */
export function assembleDeep(source, into, allCharts, chartsRoot, mirrors = undefined, depth = 0) {
  const locate = locatorFor(source, allCharts, chartsRoot, mirrors);
  const { vendored, dropped } = assembleChart(source, into, locate);
  const result = { vendored: [...vendored], dropped: [...dropped, ...outOfRange(into, vendored)] };
  if (depth < 4) {
    for (const name of vendored) {
      const inner = assembleDeep(locate(name), join(into, "charts", name), allCharts, chartsRoot, mirrors, depth + 1);
      result.vendored.push(...inner.vendored);
      result.dropped.push(...inner.dropped);
    }
  }
  return result;
}

/**
 * Whether a chart version meets a Chart.yaml dependency's `version:` constraint. Helm's
 * constraints are npm's but for commas between the parts; none means any version.
 */
export function satisfiesRange(version, range) {
  if (range === undefined || range === null || String(range).trim() === "") return true;
  return semver.satisfies(version, String(range).replaceAll(",", " "), { includePrerelease: false, loose: true });
}

/**
 * The vendored dependencies whose version is outside the constraint, named `name@version`: helm
 * applies no alias to such a chart, so the run does not see the chart as released.
 */
function outOfRange(into, vendored) {
  const dependencies = chartMeta(into).dependencies ?? [];
  return vendored.flatMap((name) => {
    const version = String(chartMeta(join(into, "charts", name)).version ?? "");
    const range = dependencies.find((dependency) => dependency.name === name)?.version;
    return satisfiesRange(version, range) ? [] : [`${name}@${version}`];
  });
}

export function run(command, argv, cwd, timeoutSeconds) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(command, argv, { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    // The whole process group: chartguard's helm children must not outlive the timeout.
    const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), timeoutSeconds * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      done({ exit: signal === null ? String(code) : "timeout", stdout, stderr, seconds });
    });
  });
}

export function oneLine(text) {
  return String(text ?? "").replace(/\s+/g, " ").trim();
}

export function firstErrorLine(result) {
  const line = result.stderr.split("\n").find((text) => text.trim() !== "");
  if (line !== undefined) return oneLine(line);
  try {
    return oneLine(JSON.parse(result.stdout).failed?.[0]?.message);
  } catch {
    return "";
  }
}

/** The report's findings, or none when there is no report (exit 2 or a timeout, told by the exit column). */
export function reportFindings(result) {
  try {
    return JSON.parse(result.stdout).findings ?? [];
  } catch {
    return [];
  }
}

/** rule, severity, messageId, object, path, message, template: the columns every sweep shares. */
export function findingCells(finding) {
  const { kind, namespace, name: objectName } = finding.object;
  const location = finding.location ?? {};
  const template = location.template ? `${location.template}:${location.templateLine ?? ""}` : "";
  return [finding.rule, finding.severity, finding.messageId,
    `${kind}/${namespace ? `${namespace}/` : ""}${objectName}`, finding.path, oneLine(finding.message), template];
}

/** A mirror is either a bare git dir at repo/ or a clone with its git dir at repo/.git. */
export function gitDir(mirror) {
  for (const candidate of [join(mirror, "repo", ".git"), join(mirror, "repo")]) {
    if (existsSync(join(candidate, "HEAD")) && existsSync(join(candidate, "objects"))) return candidate;
  }
  return undefined;
}

/**
 * A user's clone has a .git at its root, and chartguard takes that as the repository's
 * boundary (a chart's symlink to a sibling chart's file is followed within it): an empty
 * repository gives the extracted tree the same boundary.
 */
export function markCheckout(target) {
  if (!existsSync(join(target, ".git"))) execFileSync("git", ["init", "-q", target]);
}

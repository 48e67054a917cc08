/**
 * Locations that always work: however the user names a chart (`.`, `./`, `./web`, `../web`,
 * an absolute path, a .tgz, `git:REF`), a finding points at the template and its line,
 * relative to where the user stands, in text, JSON and SARIF.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { helmBinaries } from "../helpers/helm.ts";
import { PROJECT_ROOT } from "../helpers/cli.ts";
import { runCliIn } from "../report/helpers.ts";

const root = mkdtempSync(path.join(tmpdir(), "chartguard-locations-"));
after(() => rmSync(root, { recursive: true, force: true }));
// root/repo is a git repository holding the chart at repo/webapp and a sibling folder repo/other.
const repo = path.join(root, "repo");
const chart = path.join(repo, "webapp");
cpSync(path.join(PROJECT_ROOT, "examples/webapp"), chart, { recursive: true });
mkdirSync(path.join(repo, "other"));
const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, stdio: "pipe" });
git("init", "-q", "-b", "main");
git("add", ".");
git("commit", "-q", "-m", "chart");

// The Service's selector-overlap finding comes from line 8 of templates/service.yaml (`selector:`).
const SERVICE_LINE = 8;

interface JsonFinding {
  rule: string;
  object: { kind: string };
  location: { file: string; rendered?: boolean; line: number; template?: string; templateLine?: number };
}

function serviceOverlap(findings: JsonFinding[]): JsonFinding {
  const finding = findings.find((f) => f.rule === "selector-overlap" && f.object.kind === "Service");
  assert.ok(finding, JSON.stringify(findings.map((f) => f.rule)));
  return finding;
}

function sarifLocation(stdout: string): { uri: string; startLine?: number } {
  const log = JSON.parse(stdout) as { runs: { results: { ruleId: string; properties: { object: { kind: string } }; locations: { physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] };
  const result = log.runs[0]!.results.find((r) => r.ruleId === "selector-overlap" && r.properties.object.kind === "Service");
  assert.ok(result);
  const physical = result.locations[0]!.physicalLocation;
  assert.ok(physical, "a physical location");
  return { uri: physical.artifactLocation.uri, ...(physical.region ? { startLine: physical.region.startLine } : {}) };
}

interface Naming {
  name: string;
  cwd: string;
  chart: string;
  /** The template as findings name it, from that folder. */
  template: string;
  /** SARIF: the file, relative to the repository root, and its line (none inside an archive). */
  sarif: { uri: string; startLine?: number };
}

const [helm3, helm4] = helmBinaries();
for (const helm of [helm3!, helm4!]) {
  describe(`locations for every way of naming a chart (helm ${helm.major})`, () => {
    const tgz = path.join(root, `package-${helm.major}`);
    mkdirSync(tgz);
    execFileSync(helm.path, ["package", chart, "-d", tgz], { stdio: "pipe", env: { ...process.env, HELM_CACHE_HOME: tgz, HELM_CONFIG_HOME: tgz, HELM_DATA_HOME: tgz } });
    const namings: Naming[] = [
      { name: ".", cwd: chart, chart: ".", template: "templates/service.yaml", sarif: { uri: "webapp/templates/service.yaml", startLine: SERVICE_LINE } },
      { name: "./", cwd: chart, chart: "./", template: "templates/service.yaml", sarif: { uri: "webapp/templates/service.yaml", startLine: SERVICE_LINE } },
      { name: "./webapp", cwd: repo, chart: "./webapp", template: "webapp/templates/service.yaml", sarif: { uri: "webapp/templates/service.yaml", startLine: SERVICE_LINE } },
      { name: "../webapp", cwd: path.join(repo, "other"), chart: "../webapp", template: "../webapp/templates/service.yaml", sarif: { uri: "webapp/templates/service.yaml", startLine: SERVICE_LINE } },
      { name: "an absolute path", cwd: path.join(repo, "other"), chart, template: "../webapp/templates/service.yaml", sarif: { uri: "webapp/templates/service.yaml", startLine: SERVICE_LINE } },
      // Inside an archive: the path names the archive, and SARIF points at the archive itself (no file of a work tree has that text).
      { name: "a .tgz", cwd: tgz, chart: "webapp-1.4.2.tgz", template: "webapp-1.4.2.tgz/templates/service.yaml", sarif: { uri: "webapp-1.4.2.tgz", startLine: 1 } },
    ];
    // Helm 4 names templates as Helm 3 does (# Source:): one naming is enough there.
    for (const naming of helm.major === 3 ? namings : namings.filter((n) => n.name === ".")) {
      test(`check ${naming.name}: ${naming.template}:${SERVICE_LINE} in text, JSON and SARIF`, () => {
        const args = ["check", "--no-probe", "--no-config", "--helm", helm.path, "--fail-on", "none", "--", naming.chart];
        const json = runCliIn(naming.cwd, [...args.slice(0, -2), "-o", "json", ...args.slice(-2)]);
        assert.equal(json.status, 0, json.stderr);
        const { location } = serviceOverlap((JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings);
        assert.deepEqual(location, { file: naming.chart, rendered: true, line: location.line, template: naming.template, templateLine: SERVICE_LINE });

        const text = runCliIn(naming.cwd, args);
        assert.equal(text.status, 0, text.stderr);
        assert.match(text.stdout, new RegExp(`^${naming.template.replace(/\./g, "\\.")}\\n {2}${SERVICE_LINE}  error  selector-overlap  Service/webapp  `, "m"));
        assert.doesNotMatch(text.stdout, /\(rendered\)/);

        const sarif = runCliIn(naming.cwd, [...args.slice(0, -2), "-o", "sarif", ...args.slice(-2)]);
        assert.equal(sarif.status, 0, sarif.stderr);
        assert.deepEqual(sarifLocation(sarif.stdout), naming.sarif);
      });
    }
  });
}

test("upgrade --from git:HEAD --to .: the chart side's findings point at the work tree's templates, the git side's at the revision", () => {
  const [helm] = helmBinaries();
  const run = runCliIn(chart, ["upgrade", "--from", "git:HEAD", "--to", ".", "--no-config", "--helm", helm!.path, "--fail-on", "none", "-o", "json"]);
  assert.equal(run.status, 0, run.stderr);
  const { location } = serviceOverlap((JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings);
  assert.deepEqual(location, { file: ".", rendered: true, line: location.line, template: "templates/service.yaml", templateLine: SERVICE_LINE });
  const reverse = runCliIn(chart, ["upgrade", "--from", ".", "--to", "git:HEAD", "--no-config", "--helm", helm!.path, "--fail-on", "none", "-o", "json"]);
  assert.equal(reverse.status, 0, reverse.stderr);
  const atRevision = serviceOverlap((JSON.parse(reverse.stdout) as { findings: JsonFinding[] }).findings).location;
  assert.deepEqual(atRevision, { file: "git:HEAD:.", rendered: true, line: atRevision.line, template: "git:HEAD:./templates/service.yaml", templateLine: SERVICE_LINE });
});

test("the note about a partial render names the chart once", () => {
  const [helm] = helmBinaries();
  const partial = path.join(root, "partial");
  cpSync(chart, partial, { recursive: true });
  execFileSync("sh", ["-c", 'printf "dependencies:\\n  - name: redis\\n    version: 1.0.0\\n    repository: https://charts.example.com\\n" >> Chart.yaml'], { cwd: partial });
  const run = runCliIn(root, ["check", "--no-probe", "--no-config", "--skip-missing-deps", "--helm", helm!.path, "--fail-on", "none", "partial"]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^note: partial: rendered without the missing dependencies redis \(--skip-missing-deps\): the view is partial$/m);
});

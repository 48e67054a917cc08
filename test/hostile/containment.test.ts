/**
 * Containment: chartguard runs helm on charts it did not write, in a user's environment
 * full of Helm configuration. It must never reach the network, never run a post-renderer
 * or a helm plugin, never write anywhere but its own temporary folder and the requested
 * output file, and never change the user's Helm configuration.
 *
 * A prepared "user" (HOME, HELM_*, XDG_*, KUBECONFIG, proxies) points everything it can at
 * a local trap server; a helm wrapper logs how helm is invoked before running the real one.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { helmBinaries } from "../helpers/helm.ts";
import { assertTempClean, cliAsync, script, smallChart, snapshot, tempDir, writeFile, PROJECT_ROOT } from "./support.ts";

const realHelm = helmBinaries().at(-1)!.path;

let trapConnections = 0;
const trap = createServer((socket) => {
  trapConnections++;
  socket.destroy();
});
let port = 0;
before(async () => {
  await new Promise<void>((done) => trap.listen(0, "127.0.0.1", done));
  port = (trap.address() as AddressInfo).port;
});
after(() => trap.close());

interface User {
  root: string;
  home: string;
  charts: string;
  cwd: string;
  out: string;
  env: NodeJS.ProcessEnv;
  argvLog: string;
  envLog: string;
  pluginMarker: string;
}

/** A user whose Helm setup would show any use: repositories, a registry login, a downloader plugin, a cluster, proxies. */
function preparedUser(): User {
  const root = tempDir("contain");
  const home = join(root, "home");
  const trapUrl = `http://127.0.0.1:${port}`;
  const pluginMarker = join(root, "plugin-ran");
  writeFile(home, ".config/helm/repositories.yaml", `apiVersion: ""\ngenerated: "0001-01-01T00:00:00Z"\nrepositories:\n- name: trap\n  url: ${trapUrl}/charts\n`);
  writeFile(home, ".config/helm/registry/config.json", JSON.stringify({ auths: { [`127.0.0.1:${port}`]: { auth: "dXNlcjpwYXNz" } } }));
  const plugin = join(home, ".local/share/helm/plugins/evil");
  writeFile(plugin, "plugin.yaml", 'name: evil\nversion: 0.1.0\nusage: evil\ndescription: touches a marker when run\ncommand: "$HELM_PLUGIN_DIR/run.sh"\ndownloaders:\n- command: "run.sh"\n  protocols: [evil]\n');
  script(plugin, "run.sh", `touch ${pluginMarker}`);
  writeFile(
    home,
    ".kube/config",
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: ctx, context: {cluster: c, user: u, namespace: from-kubeconfig}}]\ncurrent-context: ctx\n`,
  );
  writeFile(home, ".cache/helm/repository/trap-index.yaml", "apiVersion: v1\nentries: {}\n");
  const charts = join(root, "charts");
  const web = smallChart(charts, "web");
  cpSync(web, join(charts, "web-next"), { recursive: true });
  writeFile(join(charts, "web-next"), "Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.2.0\nappVersion: \"1.1.0\"\n");
  writeFile(charts, "values.yaml", "replicas: 3\n");
  const cwd = join(root, "work");
  writeFile(cwd, "README", "the user's working directory\n");
  const out = join(root, "out");
  writeFile(out, ".keep", "");
  const argvLog = join(root, "helm-argv.log");
  const envLog = join(root, "helm-env.log");
  const wrapper = script(
    join(root, "bin"),
    "helm",
    [
      `printf '%s\\n' "$*" >> ${argvLog}`,
      `printf 'HOME=%s HELM_PLUGINS=%s HELM_CONFIG_HOME=%s HELM_REPOSITORY_CONFIG=%s KUBECONFIG=%s\\n' "$HOME" "$HELM_PLUGINS" "$HELM_CONFIG_HOME" "$HELM_REPOSITORY_CONFIG" "$KUBECONFIG" >> ${envLog}`,
      `exec ${realHelm} "$@"`,
    ].join("\n"),
  );
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local/share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    HELM_CONFIG_HOME: join(home, ".config/helm"),
    HELM_DATA_HOME: join(home, ".local/share/helm"),
    HELM_CACHE_HOME: join(home, ".cache/helm"),
    HELM_PLUGINS: join(home, ".local/share/helm/plugins"),
    HELM_REPOSITORY_CONFIG: join(home, ".config/helm/repositories.yaml"),
    HELM_REPOSITORY_CACHE: join(home, ".cache/helm/repository"),
    HELM_REGISTRY_CONFIG: join(home, ".config/helm/registry/config.json"),
    HELM_POST_RENDERER: join(plugin, "run.sh"),
    HELM_DEBUG: "true",
    HELM_NAMESPACE: "from-helm-namespace",
    KUBECONFIG: join(home, ".kube/config"),
    HTTP_PROXY: trapUrl,
    HTTPS_PROXY: trapUrl,
    ALL_PROXY: trapUrl,
    http_proxy: trapUrl,
    https_proxy: trapUrl,
    NO_PROXY: "",
    no_proxy: "",
    HELM_BIN: wrapper,
  };
  return { root, home, charts, cwd, out, env, argvLog, envLog, pluginMarker };
}

async function run(user: User, args: string[]) {
  const started = cliAsync(args, { cwd: user.cwd, env: user.env });
  const result = await started.done;
  assertTempClean(started.tmp);
  return { ...result, tmp: started.tmp };
}

describe("containment", () => {
  test("check and upgrade leave HOME, the Helm config, the charts and the cwd as they were, and never reach the network", async () => {
    const user = preparedUser();
    const before = { home: snapshot(user.home), charts: snapshot(user.charts), cwd: snapshot(user.cwd) };
    const web = join(user.charts, "web");
    const report = join(user.out, "report.json");

    const checked = await run(user, ["check", "-f", join(user.charts, "values.yaml"), "-o", "json", "--output-file", report, web]);
    assert.equal(checked.status, 0, checked.stderr);
    assert.equal(checked.stderr, "");
    const objects = (JSON.parse(readFileSync(report, "utf8")) as { findings: unknown[] }).findings;
    assert.deepEqual(objects, []);

    const upgraded = await run(user, ["upgrade", "--from", web, "--to", join(user.charts, "web-next"), "-o", "json"]);
    assert.equal(upgraded.status, 0, upgraded.stderr);

    // A values URL with the plugin's protocol would make helm run the plugin: refused first.
    const viaPlugin = await run(user, ["check", "-f", "evil://values.yaml", web]);
    assert.equal(viaPlugin.status, 2);
    assert.match(viaPlugin.stderr, /names a URL; chartguard never reaches the network/);

    // git would read a revision starting with "-" as an option: --output writes anywhere, --remote reaches out.
    const escaped = join(user.root, "written-by-git.tgz");
    for (const ref of [`git:--output=${escaped}`, "git:--remote=http://127.0.0.1:1/repo.git"]) {
      const refused = await run(user, ["upgrade", "--from", ref, "--to", web]);
      assert.equal(refused.status, 2, refused.stderr);
      assert.match(refused.stderr, /is not a revision \(it starts with "-"\)/);
    }
    assert.equal(existsSync(escaped), false);

    assert.deepEqual(snapshot(user.home), before.home, "HOME (and the Helm config in it) is unchanged");
    assert.deepEqual(snapshot(user.charts), before.charts, "the charts are unchanged");
    assert.deepEqual(snapshot(user.cwd), before.cwd, "nothing was written to the working directory");
    assert.deepEqual(readdirSync(user.out).sort(), [".keep", "report.json"], "only the requested output file");
    assert.equal(existsSync(user.pluginMarker), false, "no helm plugin or post-renderer ran");
    await new Promise((done) => setTimeout(done, 100));
    assert.equal(trapConnections, 0, "nothing connected to the proxy, registry, repository or cluster address");

    const invocations = readFileSync(user.argvLog, "utf8").trim().split("\n");
    assert.ok(invocations.some((line) => line.startsWith("template ")), "helm template ran");
    for (const line of invocations) {
      assert.match(line, /^(version --short|template .*)$/, `only helm version and helm template: ${line}`);
      assert.doesNotMatch(line, /--post-renderer|--dependency-update|--repo|--verify|--validate|\bhttps?:|oci:/, line);
    }
    for (const line of readFileSync(user.envLog, "utf8").trim().split("\n")) {
      assert.doesNotMatch(line, new RegExp(user.home.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), `helm never sees the user's HOME or Helm dirs: ${line}`);
      assert.match(line, /^HOME=\S*chartguard-helm-\S+ /, line);
    }
  });

  test("file system calls (strace): nothing is created, changed or removed outside the temp dir, the output file and the helm version cache", { skip: stracePath() === undefined ? "strace not installed" : false }, () => {
    const user = preparedUser();
    const tmp = tempDir("strace-tmp");
    const report = join(user.out, "report.txt");
    const traceLog = join(user.root, "trace.log");
    const tsx = import.meta.resolve("tsx");
    const main = join(PROJECT_ROOT, "src/cli/main.ts");
    const calls = "openat,open,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,rmdir,link,linkat,symlink,symlinkat,truncate,chmod,fchmodat,chown,fchownat,utimensat";
    for (const args of [
      ["check", "-f", join(user.charts, "values.yaml"), "--output-file", report, join(user.charts, "web")],
      ["upgrade", "--from", join(user.charts, "web"), "--to", join(user.charts, "web-next"), "--output-file", report],
    ]) {
      const result = spawnSync(stracePath()!, ["-f", "-qq", "-y", "-e", `trace=${calls}`, "-o", traceLog, process.execPath, "--import", tsx, main, ...args], {
        cwd: user.cwd,
        // The real helm, not the logging wrapper: its log is the one write this test would otherwise see.
        env: { ...process.env, ...user.env, HELM_BIN: realHelm, TMPDIR: tmp, NO_COLOR: "1" },
        encoding: "utf8",
        timeout: 120_000,
      });
      assert.equal(result.status, 0, result.stderr);
      // The one file chartguard keeps: the version of the helm binary it asked (README, "Files it writes").
      const versionCache = join(user.env["XDG_CACHE_HOME"]!, "chartguard");
      const outside = writesOutside(readFileSync(traceLog, "utf8"), [tmp, "/dev/", "/proc/", versionCache], report);
      assert.deepEqual(outside, [], `writes outside the temp dir, ${versionCache} and ${report}`);
      // `check` learns the version from its probe render, `upgrade` asks helm: no partial file is left either way.
      assert.deepEqual(existsSync(versionCache) ? readdirSync(versionCache) : [], args[0] === "check" ? [] : ["helm-versions.json"]);
      assertTempClean(tmp);
    }
  });
});

function stracePath(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v strace"], { encoding: "utf8" });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === "") return undefined;
  // Containers may forbid ptrace: then strace cannot run at all.
  return spawnSync(path, ["-o", "/dev/null", "true"]).status === 0 ? path : undefined;
}

const WRITE_FLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/;

/** Paths the traced processes created, opened for writing, renamed, removed or changed, outside the allowed places. */
function writesOutside(trace: string, allowed: readonly string[], outputFile: string): string[] {
  const outside = new Set<string>();
  const outputTemp = new RegExp(`^${join(outputFile, "..").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/\\.${outputFile.split("/").pop()!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.[^/]+\\.tmp$`);
  for (const line of trace.split("\n")) {
    const call = /^\d+\s+([a-z0-9]+)\((.*)$/.exec(line);
    if (call === null) continue;
    const [, name, rest] = call as unknown as [string, string, string];
    if ((name === "openat" || name === "open") && !WRITE_FLAGS.test(rest)) continue;
    // `dirfd</path>, "relative"` or `"absolute"`: with -y, strace prints the directory of a dirfd.
    const paths: string[] = [];
    const argument = /(?:(?:AT_FDCWD|\d+)<([^>]*)>,\s*)?"((?:[^"\\]|\\.)*)"/g;
    for (const match of rest.matchAll(argument)) paths.push(resolve(match[1] ?? "/", match[2]!));
    // symlink(target, path) and link(existing, new) create only their last path: a probe copy's
    // hard links leave the chart's files as they are (their text and names), and are removed with the copy.
    const targets = name.startsWith("symlink") || name.startsWith("link") ? paths.slice(-1) : paths;
    for (const path of targets) {
      if (path === outputFile || outputTemp.test(path)) continue;
      if (allowed.some((prefix) => path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`))) continue;
      outside.add(`${name} ${path}`);
    }
  }
  return [...outside].sort();
}

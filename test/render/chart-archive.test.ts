import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { InputError } from "../../src/errors.ts";
import { extractChartArchive } from "../../src/load/chart-archive.ts";
import { helmTemplate } from "../../src/render/helm.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { tarGz, type TarInput } from "../helpers/tar.ts";
import { fixtureChart, renderRequest, tempDir } from "./support.ts";

const CHART_YAML = "apiVersion: v2\nname: evil\nversion: 0.1.0\n";

async function archiveFile(bytes: Buffer): Promise<string> {
  const file = join(await tempDir("archive"), "chart.tgz");
  await writeFile(file, bytes);
  return file;
}

/** Every file under dir as relative path → content. */
async function files(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) result[relative(dir, join(entry.parentPath, entry.name))] = await readFile(join(entry.parentPath, entry.name), "utf8");
  }
  return result;
}

async function assertRefused(entries: readonly TarInput[], message: RegExp): Promise<void> {
  const archive = await archiveFile(tarGz(entries));
  const destination = join(await tempDir("extract"), "out");
  await assert.rejects(extractChartArchive(archive, destination), (error) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, archive);
    assert.match(error.message, message);
    return true;
  });
  assert.equal(existsSync(destination), false, "nothing is written");
}

describe("extractChartArchive", () => {
  for (const format of ["gnu", "ustar", "pax"] as const) {
    test(`extracts a chart packed by tar --format=${format}, long file names included`, async () => {
      const work = await tempDir("pack");
      const chart = join(work, "basic");
      await cp(fixtureChart("basic"), chart, { recursive: true });
      // Over 100 characters: GNU tar stores it as a ././@LongLink entry, pax as a path= record,
      // ustar splits it into prefix and name.
      const deep = join(chart, "files", "a-directory-with-a-rather-long-name", "and-another-one-below-it-that-is-long");
      await mkdir(deep, { recursive: true });
      await writeFile(join(deep, "a-file-whose-name-alone-is-long-enough.txt"), "deep content");
      const archive = join(work, "basic-0.1.0.tgz");
      execFileSync("tar", [`--format=${format}`, "-czf", archive, "-C", work, "basic"]);
      const destination = join(await tempDir("extract"), "out");
      const root = await extractChartArchive(archive, destination);
      assert.equal(root, join(destination, "basic"));
      assert.deepEqual(await files(root), await files(chart));
    });
  }

  for (const helm of helmBinaries()) {
    test(`returns a chart root that Helm ${helm.major} renders`, async () => {
      const work = await tempDir("pack");
      const archive = join(work, "basic.tgz");
      execFileSync("tar", ["-czf", archive, "-C", fixtureChart(""), "basic"]);
      const root = await extractChartArchive(archive, join(work, "out"));
      assert.match((await helmTemplate(helm, renderRequest(root), { timeoutMs: 30_000 })).toString("utf8"), /kind: Deployment/);
    });
  }

  test("refuses an entry with a .. segment, and writes nothing", async () => {
    await assertRefused(
      [
        { name: "evil/Chart.yaml", content: CHART_YAML },
        { name: "evil/../../escaped.txt", content: "x" },
      ],
      /^refusing archive entry "evil\/\.\.\/\.\.\/escaped\.txt": path leads out of the archive/,
    );
  });

  test("refuses an entry with an absolute path, and writes nothing", async () => {
    await assertRefused(
      [
        { name: "evil/Chart.yaml", content: CHART_YAML },
        { name: "/tmp/chartguard-absolute.txt", content: "x" },
      ],
      /^refusing archive entry "\/tmp\/chartguard-absolute\.txt": absolute path/,
    );
  });

  test("refuses links that lead out of the archive", async () => {
    const chart = { name: "evil/Chart.yaml", content: CHART_YAML };
    await assertRefused([chart, { name: "evil/templates/x.yaml", type: "symlink", linkName: "../../../etc/passwd" }], /link leads out of the archive/);
    await assertRefused([chart, { name: "evil/passwd", type: "symlink", linkName: "/etc/passwd" }], /link to an absolute path/);
    await assertRefused([chart, { name: "evil/hard", type: "hardlink", linkName: "../outside" }], /link leads out of the archive/);
  });

  test("writes only files and directories: links inside the archive and special files are skipped", async () => {
    const archive = await archiveFile(
      tarGz([
        { name: "ok/", type: "directory" },
        { name: "ok/Chart.yaml", content: CHART_YAML },
        { name: "ok/templates/", type: "directory" },
        { name: "ok/empty/", type: "directory" },
        { name: "ok/templates/link.yaml", type: "symlink", linkName: "../Chart.yaml" },
        { name: "ok/hard.yaml", type: "hardlink", linkName: "ok/Chart.yaml" },
        { name: "ok/pipe", type: "fifo" },
      ]),
    );
    const destination = join(await tempDir("extract"), "out");
    const root = await extractChartArchive(archive, destination);
    assert.deepEqual(await files(root), { "Chart.yaml": CHART_YAML });
    assert.deepEqual((await readdir(root)).sort(), ["Chart.yaml", "empty", "templates"]);
  });

  test("requires exactly one top-level chart directory with a Chart.yaml", async () => {
    await assertRefused(
      [
        { name: "one/Chart.yaml", content: CHART_YAML },
        { name: "two/Chart.yaml", content: CHART_YAML },
      ],
      /exactly one top-level chart directory; found one, two/,
    );
    await assertRefused([{ name: "Chart.yaml", content: CHART_YAML }], /"Chart\.yaml" is at its top level/);
    const noChart = await archiveFile(tarGz([{ name: "dir/values.yaml", content: "a: 1\n" }]));
    await assert.rejects(extractChartArchive(noChart, join(await tempDir("extract"), "out")), {
      message: "the archive's dir/ has no Chart.yaml",
    });
  });

  test("reports files that are not gzip, or not tar inside", async () => {
    const notGzip = await archiveFile(Buffer.from("plain text"));
    await assert.rejects(extractChartArchive(notGzip, join(await tempDir("extract"), "out")), {
      name: "InputError",
      message: /^not a gzip-compressed chart archive/,
    });
    const notTar = await archiveFile(gzipSync(Buffer.alloc(1024, "x")));
    await assert.rejects(extractChartArchive(notTar, join(await tempDir("extract"), "out")), {
      name: "InputError",
      message: /^not a tar archive/,
    });
    const missing = join(await tempDir("extract"), "missing.tgz");
    await assert.rejects(extractChartArchive(missing, join(await tempDir("extract"), "out")), {
      name: "InputError",
      message: /^cannot read chart archive/,
    });
  });
});

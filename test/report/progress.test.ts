import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { renderChartsForCheck } from "../../src/check-render.ts";
import { configureProgress, createProgress, progressEnabled, type ProgressStream } from "../../src/report/progress.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { fixtureChart } from "../render/support.ts";
import { runCliIn, tempRepo } from "./helpers.ts";

function fakeStream(isTTY: boolean, columns = 40): ProgressStream & { written: string[] } {
  const written: string[] = [];
  return { isTTY, columns, written, write: (text: string) => written.push(text) };
}

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test("progress: draws a single line on a terminal, throttled, and clears it when done", () => {
  const stream = fakeStream(true);
  const time = clock();
  const progress = createProgress(3, "rendering charts", { stream, enabled: true, delayMs: 0, intervalMs: 100, now: time.now });
  progress.tick("charts/a");
  time.advance(50);
  progress.tick("charts/b"); // within the interval: not drawn
  time.advance(100);
  progress.tick("charts/c-with-a-very-long-name-that-does-not-fit");
  progress.done();
  progress.done();
  assert.deepEqual(stream.written, [
    "\r\u001b[Krendering charts 1/3 charts/a",
    "\r\u001b[Krendering charts 3/3 charts/c-with-a-v…",
    "\r\u001b[K",
  ]);
  for (const line of stream.written) assert.ok(line.replace("\r\u001b[K", "").length <= 39);
});

test("progress: short runs show nothing", () => {
  const stream = fakeStream(true);
  const time = clock();
  const progress = createProgress(2, "probes", { stream, enabled: true, now: time.now });
  progress.tick();
  time.advance(100);
  progress.tick();
  progress.done();
  assert.deepEqual(stream.written, []);
});

test("progress: nothing when stderr is not a terminal, or for machine-readable formats, or for library callers", () => {
  const pipe = fakeStream(false);
  const p1 = createProgress(1, "x", { stream: pipe, enabled: true, delayMs: 0 });
  p1.tick();
  p1.done();
  assert.deepEqual(pipe.written, []);

  const tty = fakeStream(true);
  assert.equal(progressEnabled(), false, "off unless the CLI turns it on");
  for (const format of ["json", "sarif", "junit", "github", "markdown"]) {
    configureProgress({ format, stream: tty });
    assert.equal(progressEnabled(), false, format);
    const p = createProgress(1, "x", { delayMs: 0 });
    p.tick();
    p.done();
  }
  assert.deepEqual(tty.written, []);
  configureProgress({ format: "text", stream: tty });
  assert.equal(progressEnabled(), true);
  configureProgress({ format: "text", stream: pipe });
  assert.equal(progressEnabled(), false);
});

test("progress: the CLI writes nothing to stderr when it is not a terminal", () => {
  const dir = tempRepo();
  writeFileSync(path.join(dir, "m.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
  for (const format of ["text", "sarif"]) {
    const run = runCliIn(dir, ["check", "m.yaml", "-o", format]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "");
  }
});

test("progress: rendering charts ticks once per chart on a terminal and clears the line at the end", async () => {
  const tty = fakeStream(true, 200);
  const charts = [fixtureChart("basic"), fixtureChart("render-inputs")];
  configureProgress({ format: "text", stream: tty, delayMs: 0, intervalMs: 0 });
  try {
    await renderChartsForCheck(
      charts.map((chart) => ({ kind: "chart" as const, path: chart })),
      { namespace: "default", helm: helmBinaries()[1]!.path, probe: false, jobs: 1 },
    );
  } finally {
    configureProgress({ format: "json", stream: fakeStream(false) });
  }
  assert.deepEqual(tty.written, [
    `\r\u001b[Krendering charts 1/2 ${charts[0]}`,
    `\r\u001b[Krendering charts 2/2 ${charts[1]}`,
    "\r\u001b[K",
  ]);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { mentionsVersion, versionOfImageTag } from "../../src/model/volatile.ts";

test("mentionsVersion: the version as a word of its own (after = , : or -, with a v), never inside another number", () => {
  const versions = new Set(["1.4.0"]);
  const cases: [string, boolean][] = [
    ["service.name=indexer,chart.version=1.4.0", true],
    ["v1.4.0", true],
    ["search/indexer:1.4.0-alpine", true],
    ["search-1.4.0", true],
    ["11.4.0", false],
    ["1.4.01", false],
    ["1.4.0.1", false],
    ["a1.4.0", false],
    ["no version here", false],
  ];
  assert.deepEqual(cases.map(([text]) => [text, mentionsVersion(text, versions)]), cases);
  assert.equal(mentionsVersion("1.4.0", new Set()), false);
});

test("mentionsVersion: any of many versions, one that starts with v or carries a build, at the end or before a separator", () => {
  const versions = new Set([...Array.from({ length: 500 }, (_, i) => `3.${i}.0`), "v2.0.0", "1.0.0+build.7", "0.9.0-rc.1"]);
  const cases: [string, boolean][] = [
    ["chart=3.499.0", true],
    ["3.500.0", false],
    ["image:v2.0.0", true],
    ["vv2.0.0", true],
    ["2.0.0", false],
    ["--version=1.0.0+build.7,", true],
    ["1.0.0+build.70", false],
    ["1.0.0_build.7", false],
    ["x_0.9.0-rc.1", true],
    ["0.9.0-rc.1a", false],
    ["0.9.0", false],
  ];
  assert.deepEqual(cases.map(([text]) => [text, mentionsVersion(text, versions)]), cases);
});

test("versionOfImageTag: the first version, in the set's order, that the tag is or builds on", () => {
  const versions = new Set([...Array.from({ length: 500 }, (_, i) => `2.${i}.0`), "v1.4.0", "1.4", "3.0.0-rc.1"]);
  const cases: [string, string | undefined][] = [
    ["registry:5000/app:2.499.0", "2.499.0"],
    ["app:v2.7.0-debian-12-r3", "2.7.0"],
    ["app:1.4.0_build", "v1.4.0"],
    ["app:1.4-alpine", "1.4"],
    ["app:3.0.0-rc.1", "3.0.0-rc.1"],
    ["app:3.0.0", undefined],
    ["app:2.7.01", undefined],
    ["app", undefined],
    ["app@sha256:2.7.0", undefined],
  ];
  assert.deepEqual(cases.map(([image]) => [image, versionOfImageTag(image, versions)]), cases);
  assert.equal(versionOfImageTag("app:1.4.0", new Set()), undefined);
});

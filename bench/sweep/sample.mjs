// Draws a reproducible random sample of a sweep's findings to judge by hand: the same
// findings.tsv, N and SEED give the same sample. With --all-errors every error finding is in
// it, and random others fill it up to N.
// Usage: node bench/sweep/sample.mjs DIR N SEED [--all-errors]   (writes DIR/sample.tsv)
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FINDING_COLUMNS, readTsv, tsvLine } from "./tsv.mjs";

const [dir, size, seed] = process.argv.slice(2);
if (dir === undefined || !(Number(size) >= 0) || !Number.isInteger(Number(seed))) {
  throw new Error("usage: sample.mjs DIR N SEED [--all-errors]");
}
const allErrors = process.argv.includes("--all-errors");

/** mulberry32: a small seeded generator, so the sample does not depend on the Node version. */
function random(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const findings = readTsv(join(dir, "findings.tsv")).sort((a, b) => Number(a.n) - Number(b.n));
const chosen = allErrors ? findings.filter((row) => row.severity === "error") : [];
const pool = findings.filter((row) => !chosen.includes(row));
const next = random(Number(seed));
// A partial Fisher–Yates shuffle: the first picks are a uniform sample without repetition.
for (let index = 0; index < pool.length && chosen.length < Number(size); index++) {
  const pick = index + Math.floor(next() * (pool.length - index));
  [pool[index], pool[pick]] = [pool[pick], pool[index]];
  chosen.push(pool[index]);
}
chosen.sort((a, b) => Number(a.n) - Number(b.n));
const columns = [...FINDING_COLUMNS, "verdict", "reason"];
writeFileSync(join(dir, "sample.tsv"), tsvLine(columns) + chosen.map((row) => tsvLine(columns.map((c) => row[c]))).join(""));
console.log(`${chosen.length} of ${findings.length} findings in ${join(dir, "sample.tsv")}`);

// Preloaded (`node --import`) into every measured process: on exit, writes the process's
// peak resident set size (getrusage ru_maxrss, KiB) to the file named by BENCH_RSS_FILE,
// so that each case is measured in a process of its own and cases cannot contaminate
// each other.
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}

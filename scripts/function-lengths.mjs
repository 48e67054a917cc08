// Lists the longest functions in src/ (lines from the declaration to its closing brace),
// parsed with the TypeScript compiler: `node scripts/function-lengths.mjs [--top N] [--max L] [paths...]`.
// With --max, exits 1 when a function in the given paths is longer than L lines.
import { functionLengthLine, functionLengths } from "./function-lengths-count.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args.splice(i, 2)[1]);
};
const top = option("--top", 15);
const max = option("--max", undefined);
const roots = args.length > 0 ? args : ["src"];

const found = functionLengths(roots);
for (const f of found.slice(0, top)) console.log(functionLengthLine(f));
if (max !== undefined) {
  const over = found.filter((f) => f.lines > max);
  if (over.length > 0) {
    console.error(`${over.length} function(s) longer than ${max} lines`);
    process.exit(1);
  }
}

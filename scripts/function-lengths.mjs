// Lists the longest functions in src/ (lines from the declaration to its closing brace),
// parsed with the TypeScript compiler: `node scripts/function-lengths.mjs [--top N] [--max L] [paths...]`.
// With --max, exits 1 when a function in the given paths is longer than L lines.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args.splice(i, 2)[1]);
};
const top = option("--top", 15);
const max = option("--max", undefined);
const roots = args.length > 0 ? args : ["src"];

function files(path) {
  if (statSync(path).isDirectory()) return readdirSync(path).sort().flatMap((name) => files(join(path, name)));
  return path.endsWith(".ts") ? [path] : [];
}

function nameOf(node, source) {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return parent.name.getText(source);
  return "<anonymous>";
}

const found = [];
for (const file of roots.flatMap(files)) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      found.push({ where: `${relative(process.cwd(), file)}:${start + 1}`, name: nameOf(node, source), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
found.sort((a, b) => b.lines - a.lines);
for (const f of found.slice(0, top)) console.log(`${String(f.lines).padStart(4)}  ${f.name}  ${f.where}`);
if (max !== undefined) {
  const over = found.filter((f) => f.lines > max);
  if (over.length > 0) {
    console.error(`${over.length} function(s) longer than ${max} lines`);
    process.exit(1);
  }
}

// How long each function in a tree of TypeScript files is, parsed with the TypeScript compiler:
// lines from the declaration to its closing brace. Used by scripts/function-lengths.mjs (the listing)
// and by test/architecture/function-lengths.test.ts (the limit), so both count the same way.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

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

/** Every function with a body under `roots` (files or folders), longest first; `where` is `file:line`, relative to `base`. */
export function functionLengths(roots, base = process.cwd()) {
  const found = [];
  for (const file of roots.flatMap(files)) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.end).line;
        found.push({ where: `${relative(base, file)}:${start + 1}`, name: nameOf(node, source), lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found.sort((a, b) => b.lines - a.lines);
}

/** The line the listing and the test print for a function: its length, name and place. */
export function functionLengthLine(f) {
  return `${String(f.lines).padStart(4)}  ${f.name}  ${f.where}`;
}

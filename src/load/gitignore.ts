/**
 * Which paths a directory walk leaves out: `.gitignore` files (from the repository root, or
 * the walked directory, down) and `--exclude` globs. Git's pattern rules
 * (gitignore(5)), for the patterns people write:
 *
 * - blank lines and `#` comments are skipped; `\#` and `\!` start a literal `#` or `!`;
 *   trailing spaces are dropped unless escaped;
 * - `!pattern` re-includes what an earlier pattern excluded (the last match wins; a deeper
 *   .gitignore comes after the ones above it);
 * - `pattern/` matches directories only;
 * - a pattern with a `/` at its start or in its middle is anchored to the directory of its
 *   .gitignore; without one it matches a name at any depth below it;
 * - `*` and `?` do not cross `/`; `[a-z]` and `[!a-z]` are classes; `**` matches across
 *   directories in `**\/x`, `x/**` and `a/**\/b` (anywhere else it is a `*`).
 *
 * A walk does not enter an ignored directory, so nothing below it can be re-included,
 * which is git's rule as well. Not supported: global excludes (`core.excludesFile`).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export interface IgnoreRule {
  /** Absolute directory the pattern is relative to. */
  base: string;
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
  /** Anchored patterns match the whole path below `base`; others match the last name. */
  anchored: boolean;
  /** The line as written, for messages and tests. */
  source: string;
}

/** One pattern line; undefined for blank lines and comments. */
export function parsePattern(line: string, base: string): IgnoreRule | undefined {
  let text = line.replace(/\r$/, "");
  // Trailing spaces are dropped unless escaped with a backslash.
  text = text.replace(/(?<!\\)\s+$/, "");
  if (text.endsWith("\\ ")) text = `${text.slice(0, -2)} `;
  if (text === "" || text.startsWith("#")) return undefined;
  let negate = false;
  if (text.startsWith("!")) {
    negate = true;
    text = text.slice(1);
  } else if (text.startsWith("\\!") || text.startsWith("\\#")) {
    text = text.slice(1);
  }
  let dirOnly = false;
  if (text.endsWith("/") && !text.endsWith("\\/")) {
    dirOnly = true;
    text = text.replace(/\/+$/, "");
  }
  if (text === "") return undefined;
  const anchored = text.includes("/");
  if (text.startsWith("/")) text = text.slice(1);
  return { base, regex: new RegExp(`^${globSource(text)}$`), negate, dirOnly, anchored, source: line };
}

/** The rules of one ignore file's text. */
export function parseIgnoreFile(text: string, base: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const line of text.split("\n")) {
    const rule = parsePattern(line, base);
    if (rule) rules.push(rule);
  }
  return rules;
}

/** A gitignore glob as a regular expression source (matching a `/`-separated relative path). */
export function globSource(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const atStart = i === 0 || glob[i - 1] === "/";
        const atEnd = i + 2 === glob.length || glob[i + 2] === "/";
        if (atStart && atEnd) {
          if (i + 2 === glob.length) {
            // `x/**`: everything inside; a lone `**`: everything.
            out += ".*";
          } else {
            // `**/`: zero or more directories.
            out += "(?:.*/)?";
            i++; // the `/` after `**`
          }
          i++;
          continue;
        }
        // Any other `**` is an ordinary `*`.
        i++;
      }
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const close = classEnd(glob, i);
      if (close === -1) {
        out += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, close);
      let negated = false;
      if (body.startsWith("!") || body.startsWith("^")) {
        negated = true;
        body = body.slice(1);
      }
      const escaped = body.replace(/\\(.)/g, "$1").replace(/[\\\]^]/g, "\\$&");
      out += negated ? `[^/${escaped}]` : `[${escaped}]`;
      i = close;
    } else if (c === "\\" && i + 1 < glob.length) {
      out += escapeRegex(glob[++i]!);
    } else {
      out += escapeRegex(c);
    }
  }
  return out;
}

function classEnd(glob: string, open: number): number {
  let i = open + 1;
  if (glob[i] === "!" || glob[i] === "^") i++;
  if (glob[i] === "]") i++; // a leading `]` is a member
  for (; i < glob.length; i++) {
    if (glob[i] === "\\") i++;
    else if (glob[i] === "]") return i;
  }
  return -1;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function toPosix(p: string): string {
  return path.sep === "/" ? p : p.split(path.sep).join("/");
}

/** Whether `rule` matches `absolute` (a path below its base, or not). */
export function ruleMatches(rule: IgnoreRule, absolute: string, isDir: boolean): boolean {
  if (rule.dirOnly && !isDir) return false;
  const relative = toPosix(path.relative(rule.base, absolute));
  if (relative === "" || relative.startsWith("../") || relative === ".." || path.isAbsolute(relative)) return false;
  if (rule.anchored) return rule.regex.test(relative);
  const name = relative.slice(relative.lastIndexOf("/") + 1);
  return rule.regex.test(name);
}

/**
 * The rules in force while walking: each directory's .gitignore is added on the way down
 * and applies to what is below that directory.
 */
export class IgnoreSet {
  constructor(private readonly rules: readonly IgnoreRule[] = []) {}

  /** The set with `dir`'s own .gitignore added (this set when it has none). */
  enter(dir: string): IgnoreSet {
    const file = path.join(dir, ".gitignore");
    const rules = readIgnoreFile(file, dir);
    return rules.length === 0 ? this : new IgnoreSet([...this.rules, ...rules]);
  }

  with(rules: readonly IgnoreRule[]): IgnoreSet {
    return rules.length === 0 ? this : new IgnoreSet([...this.rules, ...rules]);
  }

  /** Git's verdict: the last rule that matches decides. */
  ignores(absolute: string, isDir: boolean): boolean {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const rule = this.rules[i]!;
      if (ruleMatches(rule, absolute, isDir)) return !rule.negate;
    }
    return false;
  }
}

function readIgnoreFile(file: string, base: string): IgnoreRule[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return parseIgnoreFile(text, base);
}

/** The root of the git work tree `dir` is in (a folder holding `.git`), if any. */
export function gitRoot(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    if (existsSync(path.join(current, ".git"))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * The ignore rules in force at `dir` before its own .gitignore: the repository's
 * `.git/info/exclude` and the .gitignore files from the repository root down to `dir`'s
 * parent. Outside a repository: none (the walk then reads `dir`'s .gitignore and those below).
 */
export function ignoresAbove(dir: string): IgnoreSet {
  const absolute = path.resolve(dir);
  const root = gitRoot(absolute);
  if (root === undefined) return new IgnoreSet();
  let set = new IgnoreSet();
  const gitDir = path.join(root, ".git");
  if (isDirectory(gitDir)) set = set.with(readIgnoreFile(path.join(gitDir, "info", "exclude"), root));
  const chain: string[] = [];
  for (let current = absolute; current !== root; current = path.dirname(current)) {
    const parent = path.dirname(current);
    if (parent === current) break;
    chain.unshift(parent);
  }
  for (const ancestor of chain) set = set.enter(ancestor);
  return set;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

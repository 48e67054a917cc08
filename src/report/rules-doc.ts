/**
 * The rule documentation, generated from each rule's `meta` and its examples in
 * docs/rules/<id>/: `chartguard rules` (a list), `chartguard rules ID` (one rule
 * explained), the README's rule reference and SARIF's rule help all come from here, so
 * they cannot drift apart. The examples are run through the real core (`runExample`), by
 * the tests and by `chartguard rules ID`.
 */
import pc from "picocolors";
import { checkDocuments } from "../analyze/check.ts";
import type { Finding } from "../analyze/finding.ts";
import { analyzeProbes } from "../analyze/probes.ts";
import type { RuleMeta } from "../analyze/rule.ts";
import { CHECK_RULES, UPGRADE_RULES, ruleById } from "../analyze/rules/index.ts";
import { upgradeDocuments } from "../analyze/upgrade/index.ts";
import { isMissing, readRuleExample, type MissingExample, type RuleExample } from "../load/rule-examples.ts";
import { parseYamlStream } from "../load/yaml.ts";
import { labelled, wrap } from "./wrap.ts";

export const RULES_START = "<!-- rules:start -->";
export const RULES_END = "<!-- rules:end -->";

/** Every rule chartguard runs, check rules first, in the index's order. */
export function ruleCatalog(): RuleMeta[] {
  return [...CHECK_RULES, ...UPGRADE_RULES].map((rule) => rule.meta);
}

/** Check rules also run on the new release during `upgrade`; upgrade rules only there. */
export function commandsOf(rule: RuleMeta): string[] {
  return UPGRADE_RULES.some((r) => r.meta.id === rule.id) ? ["upgrade"] : ["check", "upgrade"];
}

/**
 * A rule's examples as docs/rules/<id>/ holds them (or the line saying where they were
 * expected); undefined for a rule that is not chartguard's (a caller's own), which has none.
 */
export function examplesOf(rule: RuleMeta): RuleExample | MissingExample | undefined {
  return ruleById(rule.id) === undefined ? undefined : readRuleExample(rule.id);
}

/** The findings an example produces through the real core: `bad` must include the rule's, `good` must not. */
export function runExample(rule: RuleMeta, example: RuleExample, which: "bad" | "good", namespace = "default"): Finding[] {
  const to = which === "bad" ? example.bad : example.good;
  const from = which === "good" ? (example.goodFrom ?? example.upgradeFrom) : example.upgradeFrom;
  if (from === undefined) {
    const file = `${rule.id}.${which}.yaml`;
    const docs = parseYamlStream(to, file);
    if (example.rerender === undefined) return checkDocuments(docs, { namespace }).findings;
    // A probe-based rule: the same chart rendered twice (the good example renders the same both times).
    const repeat = parseYamlStream(which === "bad" ? example.rerender : to, file);
    return checkDocuments(docs, { namespace, probes: analyzeProbes({ base: docs, repeat, namespace }).evidence }).findings;
  }
  return upgradeDocuments(parseYamlStream(from, `${rule.id}.from.yaml`), parseYamlStream(to, `${rule.id}.${which}.yaml`), { namespace }).findings;
}

// ---------------------------------------------------------------------------------------
// Plain text (the terminal, SARIF help.text)

export interface RuleTextOptions {
  color?: boolean;
  /** The rule's examples (`examplesOf`); none shown without them. */
  example?: RuleExample | MissingExample;
  /** Wrap prose at this many columns (default 88). */
  width?: number;
  /** What chartguard reports on the bad example, shown after it (the CLI passes `runExample(rule, example, "bad")`). */
  badFindings?: readonly Finding[];
}

export function formatRuleList(rules: readonly RuleMeta[], options: { color?: boolean } = {}): string {
  const c = pc.createColors(options.color === true);
  const idWidth = Math.max(4, ...rules.map((r) => r.id.length)) + 2;
  const lines = [c.bold(`${"RULE".padEnd(idWidth)}${"SEVERITY".padEnd(10)}${"RUNS IN".padEnd(16)}WHAT IT FINDS`)];
  for (const rule of rules) {
    lines.push(`${rule.id.padEnd(idWidth)}${rule.severity.padEnd(10)}${commandsOf(rule).join(", ").padEnd(16)}${rule.summary}`);
  }
  lines.push("", `${rules.length} rules. \`chartguard rules RULE-ID\` explains one: why it matters, the incident behind it, an example, the fix.`);
  return `${lines.join("\n")}\n`;
}

/**
 * One rule's full page (`chartguard rules RULE-ID`, SARIF help.text): what it finds, why
 * it matters, how to fix the chart and migrate a release, the incident behind it, what its
 * findings say (each message id with its template and explanation), and its example with
 * what chartguard reports on it.
 */
export function formatRuleText(rule: RuleMeta, options: RuleTextOptions = {}): string {
  const c = pc.createColors(options.color === true);
  const width = options.width ?? 88;
  const lines: string[] = [];
  const section = (title: string, body: string) => {
    if (!body) return;
    lines.push("", c.bold(title), ...wrap(body, width, "  "));
  };
  lines.push(`${c.bold(rule.id)}  ${c.dim(`${rule.severity}; runs in ${commandsOf(rule).join(" and ")}`)}`);
  lines.push(...wrap(rule.summary, width, ""));
  section("Why it matters", rule.why);
  section("Fix", rule.fix);
  section("Migrating a release that is already deployed", rule.migration);
  section("The incident behind it", rule.incident);
  const messages = Object.entries(rule.messages);
  if (messages.length > 0) {
    // The message is a finding's line; the details are what --verbose, JSON and SARIF add to it.
    lines.push("", c.bold("Messages"));
    for (const [id, template] of messages) {
      lines.push(`  ${c.cyan(id)}`, ...labelled("    message: ", template, width));
      const detail = rule.details?.[id];
      if (detail !== undefined) lines.push(...labelled("    details: ", detail, width));
    }
  }
  const { example } = options;
  if (example !== undefined && isMissing(example)) lines.push("", c.dim(`Examples ${example.missing}.`));
  else if (example !== undefined) {
    if (example.upgradeFrom !== undefined) {
      lines.push("", c.bold("Example: the release as it is"), ...yamlBlock(example.upgradeFrom));
      lines.push("", c.bold(`Bad: upgraded to this, chartguard reports ${rule.id}`), ...yamlBlock(example.bad));
    } else {
      lines.push("", c.bold(`Bad: chartguard reports ${rule.id}`), ...yamlBlock(example.bad));
    }
    if (example.rerender !== undefined) lines.push("", c.bold("Rendered again from the same chart and values"), ...yamlBlock(example.rerender));
    const own = (options.badFindings ?? []).filter((f) => f.rule === rule.id);
    if (own.length > 0) {
      lines.push("", c.bold("What chartguard says about it"));
      for (const finding of own) {
        lines.push(`  ${finding.severity} at ${finding.path}:`, ...wrap(finding.message, width, "    "));
        if (finding.detail !== undefined) lines.push(...labelled("    details: ", finding.detail, width));
      }
    }
    if (example.goodFrom !== undefined) lines.push("", c.bold("Good: the fixed chart's release as it is"), ...yamlBlock(example.goodFrom));
    lines.push("", c.bold(example.upgradeFrom !== undefined ? "Good: upgraded to this instead, nothing is reported" : "Good: nothing is reported"), ...yamlBlock(example.good));
  }
  if (rule.helpUri) lines.push("", `${c.dim("More:")} ${rule.helpUri}`);
  return `${lines.join("\n")}\n`;
}

/** The plain-text help for one rule (SARIF `help.text`): the explanation without colour. */
export function ruleText(rule: RuleMeta, example?: RuleExample | MissingExample): string {
  return formatRuleText(rule, { color: false, example });
}

function yamlBlock(yaml: string): string[] {
  return yaml.replace(/\n+$/, "").split("\n").map((line) => (line ? `    ${line}` : ""));
}

// ---------------------------------------------------------------------------------------
// Markdown (the README's rule reference, SARIF help.markdown)

export interface RuleMarkdownOptions {
  headingLevel?: number;
  /** Put the examples in a collapsed `<details>` block (the README: long, and read by scrolling). */
  collapseExamples?: boolean;
  /** The rule's examples (`examplesOf`); none shown without them. */
  example?: RuleExample | MissingExample;
}

export function ruleMarkdown(rule: RuleMeta, options: RuleMarkdownOptions = {}): string {
  const hashes = "#".repeat(options.headingLevel ?? 3);
  const parts: string[] = [`${hashes} ${rule.id}`, `**${rule.severity}** · runs in ${commandsOf(rule).map((c) => `\`${c}\``).join(", ")}`, rule.summary];
  if (rule.why) parts.push(`**Why it matters.** ${linkIssues(rule.why)}`);
  if (rule.incident) parts.push(`**The incident behind it.** ${linkIssues(rule.incident)}`);
  const examples: string[] = [];
  const { example } = options;
  if (example !== undefined && isMissing(example)) parts.push(`*Examples ${example.missing}.*`);
  else if (example !== undefined) {
    if (example.upgradeFrom !== undefined) {
      examples.push("**Bad** — the release as it is:", fence(example.upgradeFrom), `upgraded to this (chartguard reports \`${rule.id}\`):`, fence(example.bad));
    } else {
      examples.push(`**Bad** (chartguard reports \`${rule.id}\`):`, fence(example.bad));
    }
    if (example.rerender !== undefined) examples.push("rendered again from the same chart and values:", fence(example.rerender));
    if (example.goodFrom !== undefined) examples.push("**Good** — the fixed chart's release as it is:", fence(example.goodFrom), "upgraded to this (nothing is reported):", fence(example.good));
    else if (example.upgradeFrom !== undefined) examples.push("**Good** — upgraded to this instead (nothing is reported):", fence(example.good));
    else examples.push("**Good** (nothing is reported):", fence(example.good));
  }
  if (examples.length > 0) {
    if (options.collapseExamples) parts.push("<details><summary>Bad and good example</summary>", ...examples, "</details>");
    else parts.push(...examples);
  }
  if (rule.fix) parts.push(`**Fix.** ${linkIssues(rule.fix)}`);
  if (rule.migration) parts.push(`**Migrating a deployed release.** ${linkIssues(rule.migration)}`);
  return `${parts.join("\n\n")}\n`;
}

/** `helm/helm #9660` and `helm/helm#9660` become links to the issue (GitHub redirects pull requests). */
function linkIssues(text: string): string {
  return text.replace(/(?<![\w/`])([A-Za-z0-9][\w.-]*\/[\w.-]*[A-Za-z0-9]) ?#(\d+)/g, (_m, repo: string, n: string) => `[${repo}#${n}](https://github.com/${repo}/issues/${n})`);
}

function fence(yaml: string): string {
  return `\`\`\`yaml\n${yaml.replace(/\n+$/, "")}\n\`\`\``;
}

/** The README's rule reference (under the README's own `## Rules` heading): an index table, then every rule in full with its examples. */
export function rulesReference(rules: readonly RuleMeta[], exampleOf: (rule: RuleMeta) => RuleExample | MissingExample | undefined): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    "Generated from the rules' own metadata and their examples in `docs/rules/<id>/` by `npm run docs:rules` (the tests fail when this section is stale). `chartguard rules RULE-ID` prints the same explanation.",
    "",
    "| Rule | Severity | Runs in | What it finds |",
    "| --- | --- | --- | --- |",
    ...rules.map((r) => `| [\`${r.id}\`](#${r.id}) | ${r.severity} | ${commandsOf(r).join(", ")} | ${cell(r.summary)} |`),
    "",
    ...rules.map((r) => ruleMarkdown(r, { headingLevel: 3, collapseExamples: true, example: exampleOf(r) })),
  ];
  return lines.join("\n").replace(/\n+$/, "\n");
}

/** The README with its rule reference replaced; the markers are added at the end when missing. */
export function withRulesReference(readme: string, reference: string): string {
  const block = `${RULES_START}\n${reference.replace(/\n+$/, "")}\n${RULES_END}`;
  const start = readme.indexOf(RULES_START);
  const end = readme.indexOf(RULES_END);
  if (start < 0 || end < 0 || end < start) return `${readme.replace(/\n*$/, "\n\n")}${block}\n`;
  return `${readme.slice(0, start)}${block}${readme.slice(end + RULES_END.length)}`;
}

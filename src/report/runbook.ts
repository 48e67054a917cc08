/**
 * One runbook for `upgrade`: what the findings ask to run, merged so that following it
 * literally works. Each finding's own commands are complete for that finding alone
 * (prepare, `helm upgrade`, follow up); several findings repeat the upgrade, and running
 * the first one while a second object still has its old spec fails again. The runbook
 * runs every preparing command once, in the findings' order (patches, annotations and
 * look-ups first, then the orphaning deletes and deletes, which `kubectl delete` waits
 * for by default), then exactly one `helm upgrade`
 * (the release, chart, namespace and values flags of the render, plus any flag a
 * finding adds), then `kubectl rollout status` for each workload the upgrade rolls or
 * recreates, then the follow-ups that need the new pods Ready (deleting orphaned pods).
 */
import type { Finding } from "../analyze/finding.ts";
import { isHelmUpgrade } from "../analyze/release.ts";
import { UPGRADE_RULES } from "../analyze/rules/index.ts";
import { sh, shellWords } from "../analyze/shell.ts";
import type { Impact } from "../analyze/upgrade/impact.ts";
import { followsRolloutStatus } from "../k8s/controllers.ts";
import { groupOf, type ObjectRef } from "../model/object.ts";
import { refKey } from "./common.ts";

export type RunbookStage = "before" | "upgrade" | "after";

export interface RunbookStep {
  stage: RunbookStage;
  /** One shell command line, every value in it quoted. */
  command: string;
  /** The objects whose findings or restarts ask for this step. */
  objects: ObjectRef[];
}

/** The stages in the order they run, with the heading every format gives them. */
export const RUNBOOK_STAGES: readonly { id: RunbookStage; title: string }[] = [
  { id: "before", title: "Before the upgrade" },
  { id: "upgrade", title: "The upgrade" },
  { id: "after", title: "After the upgrade" },
];

const UPGRADE_RULE_IDS: ReadonlySet<string> = new Set(UPGRADE_RULES.map((rule) => rule.meta.id));

/**
 * Whether the runbook carries a finding's commands: those of the upgrade rules, which say
 * what this upgrade needs. A check rule's commands migrate a release once its chart is
 * fixed (the next chart version), not this upgrade; they stay with their finding.
 */
export function inRunbook(finding: Finding): boolean {
  return UPGRADE_RULE_IDS.has(finding.rule) && (finding.remedy.commands ?? []).length > 0;
}

/** A finding without its own commands when the runbook carries them, for a report that prints the runbook. */
export function withoutCommands<F extends Finding>(finding: F): F {
  if (!inRunbook(finding)) return finding;
  const { commands: _commands, ...remedy } = finding.remedy;
  return { ...finding, remedy };
}

/** The runbook of an upgrade's findings; empty when no upgrade finding asks to run anything. */
export function upgradeRunbook(findings: readonly Finding[], impact: Impact): RunbookStep[] {
  const before = new StepList("before");
  const upgrades: { command: string; object: ObjectRef }[] = [];
  const followUps = new StepList("after");
  for (const finding of findings.filter(inRunbook)) {
    const commands = finding.remedy.commands ?? [];
    const at = commands.findIndex(isHelmUpgrade);
    commands.forEach((command, i) => {
      if (at === -1 || i < at) before.add(command, finding.object);
      else if (i === at) upgrades.push({ command, object: finding.object });
      else followUps.add(command, finding.object);
    });
  }
  if (before.steps.length === 0 && upgrades.length === 0 && followUps.steps.length === 0) return [];
  const upgrade = mergedUpgrades(upgrades);

  const checks = new StepList("after");
  const rolledOrMigrated = [...impact.rolled.map((r) => r.object), ...findings.filter(inRunbook).map((f) => f.object)];
  for (const object of rolledOrMigrated) {
    if (!followsRolloutStatus(groupOf(object.apiVersion), object.kind)) continue;
    checks.add(sh`kubectl -n ${object.namespace ?? "default"} rollout status ${object.kind.toLowerCase()} ${object.name}`, object);
  }
  for (const step of followUps.steps) for (const object of step.objects) checks.add(step.command, object);
  // Patches, annotations and look-ups of an object come before any delete (a patch after its object's delete would fail).
  const deletes = before.steps.filter((step) => kubectlVerb(step.command) === "delete");
  const preparing = before.steps.filter((step) => kubectlVerb(step.command) !== "delete");
  return [...preparing, ...deletes, ...upgrade, ...checks.steps];
}

/**
 * The findings' `helm upgrade` commands as one: they share the release, chart, namespace
 * and values flags, and a finding may add a flag of its own (`'--set=<clusterIP value>=<ip>'`),
 * which the one upgrade then carries. Only upgrades of different releases (manifests of two
 * releases) stay apart.
 */
function mergedUpgrades(upgrades: readonly { command: string; object: ObjectRef }[]): RunbookStep[] {
  const RELEASE_WORDS = 6; // helm upgrade RELEASE CHART -n NAMESPACE
  const groups = new Map<string, { words: string[][]; objects: ObjectRef[] }>();
  for (const { command, object } of upgrades) {
    const words = shellWords(command);
    const key = words.slice(0, RELEASE_WORDS).join(" ");
    const group = groups.get(key) ?? { words: [], objects: [] };
    groups.set(key, group);
    group.words.push(words);
    if (!group.objects.some((o) => refKey(o) === refKey(object))) group.objects.push(object);
  }
  return [...groups.values()].map(({ words, objects }) => {
    const shared = commonPrefix(words);
    const added = [...new Set(words.flatMap((w) => w.slice(shared.length)))];
    return { stage: "upgrade", command: [...shared, ...added].join(" "), objects };
  });
}

/** Steps of one stage, each command once, in the order first asked for. */
class StepList {
  readonly steps: RunbookStep[] = [];
  private readonly byCommand = new Map<string, RunbookStep>();
  constructor(private readonly stage: RunbookStage) {}

  add(command: string, object: ObjectRef): void {
    const step = this.byCommand.get(command);
    if (!step) {
      const added: RunbookStep = { stage: this.stage, command, objects: [object] };
      this.byCommand.set(command, added);
      this.steps.push(added);
    } else if (!step.objects.some((o) => refKey(o) === refKey(object))) {
      step.objects.push(object);
    }
  }


}

function commonPrefix(lists: readonly string[][]): string[] {
  const [first = [], ...rest] = lists;
  let length = first.length;
  for (const list of rest) {
    let i = 0;
    while (i < length && list[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length);
}

/** `delete` for `kubectl -n ns delete ...` and `kubectl delete ...`; undefined for anything else. */
function kubectlVerb(command: string): string | undefined {
  const [program, ...rest] = shellWords(command);
  if (program !== "kubectl") return undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "-n") i++;
    else if (!rest[i]!.startsWith("-")) return rest[i];
  }
  return undefined;
}

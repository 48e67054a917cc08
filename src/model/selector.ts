/**
 * The one selector engine: every rule that asks "which pods does this select" or
 * "can one pod be selected by both" comes here. Semantics follow
 * k8s.io/apimachinery labels.Selector (k8s-rules.md §2.3): requirements are ANDed,
 * `NotIn` and `DoesNotExist` hold when the key is absent, and what a nil or empty
 * selector means is decided by the consumer, not by the engine.
 */
import { isRecord } from "./object.ts";

export type Labels = Readonly<Record<string, string>>;
export type Operator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface Requirement {
  key: string;
  operator: Operator;
  values: readonly string[];
}

export interface Selector {
  /** A selector that matches nothing at all (nil where nil means "none"). */
  matchesNothing: boolean;
  /** ANDed; empty (and not matchesNothing) means "everything". */
  requirements: readonly Requirement[];
}

/** What a consumer makes of an absent (nil) or empty (`{}`) selector. */
export type Meaning = "nothing" | "everything";
export interface SelectorSemantics {
  nil: Meaning;
  empty: Meaning;
}

export const NOTHING: Selector = { matchesNothing: true, requirements: [] };
export const EVERYTHING: Selector = { matchesNothing: false, requirements: [] };

const OPERATORS = new Set<string>(["In", "NotIn", "Exists", "DoesNotExist"]);

function meaning(m: Meaning): Selector {
  return m === "nothing" ? NOTHING : EVERYTHING;
}

/** Selector from a plain label map (Service, ReplicationController). */
export function selectorFromMap(map: unknown, semantics: SelectorSemantics): Selector {
  if (map === null || map === undefined) return meaning(semantics.nil);
  if (!isRecord(map)) return NOTHING;
  const requirements = matchLabelRequirements(map);
  return requirements.length === 0 ? meaning(semantics.empty) : { matchesNothing: false, requirements };
}

/** One `In` requirement per entry, in an array of exactly that length (a dump compiles one selector per object). */
function matchLabelRequirements(map: Record<string, unknown>): Requirement[] {
  return Object.keys(map).map((key) => ({ key, operator: "In", values: [scalarText(map[key])] }));
}

/**
 * Selector from a metav1.LabelSelector. Shapes the API server would reject (a string,
 * an unknown operator) compile to NOTHING; the invalid-label rule reports them.
 */
export function compileLabelSelector(raw: unknown, semantics: SelectorSemantics): Selector {
  if (raw === null || raw === undefined) return meaning(semantics.nil);
  if (!isRecord(raw)) return NOTHING;
  const { matchLabels, matchExpressions } = raw;
  if (!isRecord(matchLabels) && matchLabels !== null && matchLabels !== undefined) return NOTHING;
  const requirements = isRecord(matchLabels) ? matchLabelRequirements(matchLabels) : [];
  if (Array.isArray(matchExpressions)) {
    for (const expression of matchExpressions) {
      if (!isRecord(expression) || typeof expression.key !== "string") return NOTHING;
      const operator = expression.operator;
      if (typeof operator !== "string" || !OPERATORS.has(operator)) return NOTHING;
      const values = Array.isArray(expression.values) ? expression.values.map(scalarText) : [];
      requirements.push({ key: expression.key, operator: operator as Operator, values });
    }
  } else if (matchExpressions !== null && matchExpressions !== undefined) {
    return NOTHING;
  }
  return requirements.length === 0 ? meaning(semantics.empty) : { matchesNothing: false, requirements };
}

/** A label value as the API server decodes it: null is "" (map[string]string); other non-strings never decode. */
function scalarText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * A metav1.LabelSelector as the API server stores it, for comparing two versions of an
 * immutable selector (docs/k8s-rules.md §1.2, §1.17): matchLabels is a map (key order does
 * not count) of the strings the server decodes (scalarText), matchExpressions an ordered list
 * (the server compares it with ordered deep equality), and absent, null and empty parts are
 * the same Go zero value. A label written as a YAML number is the same label here: the API
 * server (and a CRD's structural schema) refuses that object outright, which the check rule
 * invalid-label reports; it is not a selector change. Null when there is no selector.
 */
export function storedLabelSelector(raw: unknown): unknown {
  if (!isRecord(raw)) return raw ?? null;
  const stored: Record<string, unknown> = {};
  if (isRecord(raw.matchLabels) && Object.keys(raw.matchLabels).length > 0) {
    const labels = raw.matchLabels;
    stored.matchLabels = Object.fromEntries(Object.keys(labels).sort().map((key) => [key, scalarText(labels[key])]));
  }
  if (Array.isArray(raw.matchExpressions) && raw.matchExpressions.length > 0) {
    stored.matchExpressions = raw.matchExpressions.map((expression) => {
      if (!isRecord(expression)) return expression;
      const values = Array.isArray(expression.values) ? expression.values.map(scalarText) : [];
      return { key: expression.key, operator: expression.operator, ...(values.length > 0 ? { values } : {}) };
    });
  }
  return Object.keys(stored).length > 0 ? stored : null;
}

/** Whether two label selectors are the same once stored (storedLabelSelector). */
export function sameStoredSelector(a: unknown, b: unknown): boolean {
  return JSON.stringify(storedLabelSelector(a)) === JSON.stringify(storedLabelSelector(b));
}

export function requirementMatches(requirement: Requirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  switch (requirement.operator) {
    case "In":
      return present && requirement.values.includes(labels[requirement.key] as string);
    case "NotIn":
      return !present || !requirement.values.includes(labels[requirement.key] as string);
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
  }
}

export function matches(selector: Selector, labels: Labels): boolean {
  if (selector.matchesNothing) return false;
  return selector.requirements.every((r) => requirementMatches(r, labels));
}

export function selectsEverything(selector: Selector): boolean {
  return !selector.matchesNothing && selector.requirements.length === 0;
}

/**
 * Whether the requirements ask for label `key` on every pod they match (`In` or `Exists`),
 * with exactly `value` when one is given (`In` of that one value): what a selector "uses".
 */
export function requiresLabel(requirements: readonly Requirement[], key: string, value?: string): boolean {
  return requirements.some(
    (r) => r.key === key && (r.operator === "In" || r.operator === "Exists") && (value === undefined || (r.values.length === 1 && r.values[0] === value)),
  );
}

/** `app=web,tier in (a,b),!canary`: the kubectl form, for messages. */
export function describeSelector(selector: Selector): string {
  if (selector.matchesNothing) return "<nothing>";
  if (selector.requirements.length === 0) return "<everything>";
  return selector.requirements
    .map((r) => {
      switch (r.operator) {
        case "In":
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(",")})`;
        case "NotIn":
          return `${r.key} notin (${r.values.join(",")})`;
        case "Exists":
          return r.key;
        case "DoesNotExist":
          return `!${r.key}`;
      }
    })
    .join(",");
}

/**
 * Items indexed by label key and value, so that selecting is proportional to the
 * candidates rather than to everything in the namespace (overlap must not be quadratic).
 */
export class LabelIndex<T> {
  private readonly byKeyValue = new Map<string, Map<string, T[]>>();
  private readonly byKey = new Map<string, T[]>();
  private readonly all: T[] = [];
  /** Each item's place in `all`, made when a selector first asks for several values of one key (rare). */
  private position: Map<T, number> | undefined;

  constructor(private readonly labelsOf: (item: T) => Labels) {}

  add(item: T): void {
    this.position?.set(item, this.all.length);
    this.all.push(item);
    const labels = this.labelsOf(item);
    for (const key in labels) {
      const value = labels[key]!;
      let values = this.byKeyValue.get(key);
      if (!values) this.byKeyValue.set(key, (values = new Map()));
      const bucket = values.get(value);
      if (bucket) bucket.push(item);
      else values.set(value, [item]);
      const keyed = this.byKey.get(key);
      if (keyed) keyed.push(item);
      else this.byKey.set(key, [item]);
    }
  }

  select(selector: Selector): T[] {
    if (selector.matchesNothing) return [];
    return this.candidates(selector).filter((item) => matches(selector, this.labelsOf(item)));
  }

  /**
   * The first `limit` items, in the order added, that the selector matches and `accept` takes:
   * a caller that shows a few examples (or asks "more than n?") stops there, so its cost does
   * not grow with how many items match.
   */
  selectFirst(selector: Selector, limit: number, accept: (item: T) => boolean = () => true): T[] {
    const found: T[] = [];
    if (selector.matchesNothing) return found;
    for (const item of this.candidates(selector)) {
      if (found.length >= limit) break;
      if (accept(item) && matches(selector, this.labelsOf(item))) found.push(item);
    }
    return found;
  }

  /** Items in the order they were added. */
  private inOrder(items: T[]): T[] {
    const position = (this.position ??= new Map(this.all.map((item, i) => [item, i])));
    return items.sort((a, b) => position.get(a)! - position.get(b)!);
  }

  /** The smallest posting list any one requirement narrows the search to. */
  private candidates(selector: Selector): readonly T[] {
    let best: readonly T[] = this.all;
    for (const r of selector.requirements) {
      let list: readonly T[] | undefined;
      if (r.operator === "In") {
        const values = this.byKeyValue.get(r.key);
        list =
          r.values.length === 1
            ? values?.get(r.values[0] as string) ?? []
            : this.inOrder([...new Set(r.values)].flatMap((v) => values?.get(v) ?? []));
      } else if (r.operator === "Exists") {
        list = this.byKey.get(r.key) ?? [];
      }
      if (list && list.length < best.length) best = list;
    }
    return best;
  }
}

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  compileLabelSelector,
  describeSelector,
  EVERYTHING,
  LabelIndex,
  matches,
  NOTHING,
  requiresLabel,
  selectorFromMap,
  type Labels,
  type Operator,
  type Selector,
} from "../../src/model/selector.ts";

const KEYS = ["a", "b", "c"];
const VALUES = ["x", "y", "z"];
// One value no generated selector mentions stands for "any other value".
const LABEL_VALUES = [...VALUES, "w"];

/** The reference: the documented semantics, written as plainly as possible. */
function referenceMatches(raw: RawSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(raw.matchLabels)) if (labels[k] !== v) return false;
  for (const e of raw.matchExpressions) {
    const has = k(labels, e.key);
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]!))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key]!)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}
const k = (labels: Labels, key: string) => Object.keys(labels).includes(key);

interface RawSelector {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: Operator; values: string[] }[];
}

const rawSelector: fc.Arbitrary<RawSelector> = fc.record({
  matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }),
  matchExpressions: fc.array(
    fc.oneof(
      fc.record({
        key: fc.constantFrom(...KEYS),
        operator: fc.constantFrom<Operator>("In", "NotIn"),
        values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }),
      }),
      fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom<Operator>("Exists", "DoesNotExist"), values: fc.constant<string[]>([]) }),
    ),
    { maxLength: 3 },
  ),
});
const labelSet = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...LABEL_VALUES));
const semantics = { nil: "nothing", empty: "everything" } as const;
const compile = (raw: RawSelector) => compileLabelSelector(raw, semantics);

test("matches agrees with the reference on random selectors and labels", () => {
  fc.assert(fc.property(rawSelector, labelSet, (raw, labels) => matches(compile(raw), labels) === referenceMatches(raw, labels)), { numRuns: 3000 });
});

test("LabelIndex.select returns exactly the items a scan would", () => {
  fc.assert(
    fc.property(fc.array(labelSet, { maxLength: 30 }), rawSelector, (items, raw) => {
      const index = new LabelIndex<Labels>((l) => l);
      for (const item of items) index.add(item);
      const selector = compile(raw);
      return JSON.stringify(index.select(selector)) === JSON.stringify(items.filter((l) => matches(selector, l)));
    }),
    { numRuns: 1000 },
  );
});

test("LabelIndex.selectFirst returns the first matches a scan would, up to the limit, among the items accepted", () => {
  fc.assert(
    fc.property(fc.array(labelSet, { maxLength: 30 }), rawSelector, fc.nat(5), (items, raw, limit) => {
      const index = new LabelIndex<Labels>((l) => l);
      for (const item of items) index.add(item);
      const selector = compile(raw);
      const accept = (l: Labels) => Object.keys(l).length % 2 === 0;
      const scan = items.filter((l) => accept(l) && matches(selector, l)).slice(0, limit);
      return JSON.stringify(index.selectFirst(selector, limit, accept)) === JSON.stringify(scan);
    }),
    { numRuns: 1000 },
  );
});

test("nil and empty selectors mean what each consumer says", () => {
  const pdbV1 = { nil: "nothing", empty: "everything" } as const;
  const pdbV1beta1 = { nil: "nothing", empty: "nothing" } as const;
  assert.deepEqual(compileLabelSelector(undefined, pdbV1), NOTHING);
  assert.deepEqual(compileLabelSelector(null, pdbV1), NOTHING);
  assert.deepEqual(compileLabelSelector({}, pdbV1), EVERYTHING);
  assert.deepEqual(compileLabelSelector({ matchLabels: {} }, pdbV1), EVERYTHING);
  assert.deepEqual(compileLabelSelector({}, pdbV1beta1), NOTHING);
  assert.equal(matches(compileLabelSelector({}, pdbV1), { any: "thing" }), true);
  assert.equal(matches(compileLabelSelector({}, pdbV1beta1), { any: "thing" }), false);
  // Services: no selector and an empty selector both mean "no endpoints managed".
  assert.deepEqual(selectorFromMap(undefined, { nil: "nothing", empty: "nothing" }), NOTHING);
  assert.deepEqual(selectorFromMap({}, { nil: "nothing", empty: "nothing" }), NOTHING);
});

test("malformed selectors the API server rejects select nothing", () => {
  for (const raw of ["app=web", { matchLabels: ["app"] }, { matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }, { matchExpressions: {} }]) {
    assert.deepEqual(compileLabelSelector(raw, semantics), NOTHING, JSON.stringify(raw));
  }
});

test("NotIn and DoesNotExist hold when the key is absent", () => {
  const notIn: Selector = compile({ matchLabels: {}, matchExpressions: [{ key: "canary", operator: "NotIn", values: ["true"] }] });
  assert.equal(matches(notIn, { app: "web" }), true);
  assert.equal(matches(notIn, { canary: "true" }), false);
  assert.equal(describeSelector(notIn), "canary notin (true)");
});

test("requiresLabel: In and Exists require the key; a value only an In of exactly that value", () => {
  const selector = compileLabelSelector(
    {
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["a", "b"] },
        { key: "zone", operator: "Exists" },
        { key: "track", operator: "NotIn", values: ["canary"] },
        { key: "legacy", operator: "DoesNotExist" },
      ],
    },
    { nil: "nothing", empty: "everything" },
  );
  const requires = (key: string, value?: string) => requiresLabel(selector.requirements, key, value);
  assert.deepEqual(
    [requires("app"), requires("app", "web"), requires("app", "api"), requires("tier"), requires("tier", "a"), requires("zone"), requires("zone", "x")],
    [true, true, false, true, false, true, false],
  );
  assert.deepEqual([requires("track"), requires("track", "canary"), requires("legacy"), requires("other")], [false, false, false, false]);
});

/**
 * The published JSON Schema (src/config/schema.json) and the config validator agree:
 * every key the schema offers is accepted, every object the schema closes refuses
 * unknown keys in the validator too, rule ids are the registry's, and patterns accept and
 * refuse the same strings.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { stringify } from "yaml";
import { CHECK_RULES, UPGRADE_RULES } from "../../src/analyze/rules/index.ts";
import { CONFIG_SHAPE, parseConfig, type Shape } from "../../src/config/config.ts";
import { configSchemaText } from "../../src/config/schema.ts";
import { InputError } from "../../src/errors.ts";
import { labelKeyProblems } from "../../src/model/label-syntax.ts";

type Schema = Record<string, unknown>;
const SCHEMA_FILE = new URL("../../src/config/schema.json", import.meta.url);
const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Schema;
const defs = schema.$defs as Record<string, Schema>;

function deref(node: Schema): Schema {
  const ref = node.$ref;
  if (typeof ref !== "string") return node;
  return defs[ref.replace("#/$defs/", "")]!;
}

test("src/config/schema.json is up to date (npm run config-schema rewrites it)", () => {
  assert.equal(readFileSync(SCHEMA_FILE, "utf8"), configSchemaText(), "src/config/schema.json is stale: run `npm run config-schema`");
});

test("the schema is draft 2020-12, closed at every object, and names every rule", () => {
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  const ids = [...CHECK_RULES, ...UPGRADE_RULES].map((r) => r.meta.id);
  assert.deepEqual((deref({ $ref: "#/$defs/ruleId" }).enum as string[]).slice().sort(), ids.slice().sort());
  const properties = schema.properties as Record<string, Schema>;
  for (const key of ["rules", "ignoreProbeCauses"]) {
    assert.deepEqual(Object.keys(properties[key]!.properties as object).sort(), ids.slice().sort(), `${key} lists every rule id`);
  }
});

/** A value for every key the schema offers (all enum values, every oneOf variant, every listed property). */
function sample(node: Schema): unknown {
  const s = deref(node);
  if (Array.isArray(s.oneOf)) return (s.oneOf as Schema[]).map(sample);
  if (Array.isArray(s.enum)) return s.enum[0];
  switch (s.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) out[key] = sample(child);
      if (s.additionalProperties && typeof s.additionalProperties === "object") out["charts/sample"] = sample(s.additionalProperties as Schema);
      return out;
    }
    case "array": {
      const items = deref(s.items as Schema);
      if (Array.isArray(items.oneOf)) return (items.oneOf as Schema[]).map(sample);
      if (Array.isArray(items.enum)) return [...(items.enum as unknown[])];
      return [sample(items)];
    }
    case "boolean":
      return false;
    case "string":
      return Array.isArray(s.examples) ? s.examples[0] : "sample";
    default:
      throw new Error(`schema node without a type the test knows: ${JSON.stringify(s)}`);
  }
}

test("a config using every key the schema offers is accepted as written", () => {
  const config = sample(schema) as Record<string, unknown>;
  const parsed = parseConfig(stringify(config), "/r/.chartguard.yaml");
  const { file, baseDir, ...value } = parsed;
  assert.equal(file, "/r/.chartguard.yaml");
  assert.equal(baseDir, "/r");
  assert.deepEqual(value, config);
});

/** Paths (lists of keys) to every object the schema closes with additionalProperties: false, with a valid sample to put a stray key into. */
function closedObjects(node: Schema, at: (string | number)[] = []): (string | number)[][] {
  const s = deref(node);
  const found: (string | number)[][] = [];
  if (s.type === "object") {
    if (s.additionalProperties === false) found.push(at);
    for (const [key, child] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) found.push(...closedObjects(child, [...at, key]));
    if (s.additionalProperties && typeof s.additionalProperties === "object") found.push(...closedObjects(s.additionalProperties as Schema, [...at, "charts/sample"]));
  }
  if (s.type === "array") {
    // As sample() builds it: one item per oneOf variant, else one item.
    const items = deref(s.items as Schema);
    if (Array.isArray(items.oneOf)) (items.oneOf as Schema[]).forEach((variant, i) => found.push(...closedObjects(variant, [...at, i])));
    else found.push(...closedObjects(items, [...at, 0]));
  }
  return found;
}

test("every object the schema closes refuses an unknown key in the validator too", () => {
  const paths = closedObjects(schema);
  assert.ok(paths.length >= 8, `found ${paths.length} closed objects`);
  for (const at of paths) {
    const config = sample(schema) as Record<string, unknown>;
    let target: unknown = config;
    for (const step of at) target = (target as Record<string | number, unknown>)[step];
    (target as Record<string, unknown>).zzStray = true;
    assert.throws(
      () => parseConfig(stringify(config), "c.yaml"),
      (error: unknown) => error instanceof InputError && /unknown (key|rule) "zzStray"/.test(error.message),
      `stray key at ${at.join(".")}`,
    );
  }
});

test("every key of the validator's shape is in the schema, and nothing else", () => {
  const walk = (shape: Shape, node: Schema, where: string): void => {
    const s = deref(node);
    switch (shape.type) {
      case "object":
        assert.deepEqual(Object.keys(s.properties as object), Object.keys(shape.properties), where);
        assert.equal(s.additionalProperties, false, where);
        for (const [key, child] of Object.entries(shape.properties)) walk(child, (s.properties as Record<string, Schema>)[key]!, `${where}.${key}`);
        return;
      case "oneOf":
        assert.equal((s.oneOf as Schema[]).length, shape.variants.length, where);
        shape.variants.forEach((variant, i) => {
          assert.deepEqual(deref((s.oneOf as Schema[])[i]!).required, [...variant.required], where);
          walk(variant, (s.oneOf as Schema[])[i]!, `${where}|${i}`);
        });
        return;
      case "map": {
        const value = shape.keys === "rule" ? Object.values(s.properties as Record<string, Schema>)[0]! : (s.additionalProperties as Schema);
        walk(shape.values, value, `${where}{}`);
        return;
      }
      case "array":
        assert.equal(s.type, "array", where);
        walk(shape.items, s.items as Schema, `${where}[]`);
        return;
      case "enum":
        assert.deepEqual(s.enum, [...shape.values], where);
        return;
      case "boolean":
        assert.equal(s.type, "boolean", where);
        return;
      case "string":
        assert.equal(s.type, "string", where);
        if (shape.pattern !== undefined) assert.equal(s.pattern, shape.pattern, where);
        return;
    }
  };
  walk(CONFIG_SHAPE, schema, "config");
});

test("the schema's patterns accept and refuse what the validator does", () => {
  const properties = schema.properties as Record<string, Schema>;
  const keyPattern = new RegExp(((properties.volatileLabelKeys!.items as Schema).pattern as string));
  const labelPattern = new RegExp(((((properties.allowedOverlaps!.items as Schema).oneOf as Schema[])[0]!.properties as Record<string, Schema>).label!.pattern as string));
  const keys = ["a", "app", "example.com/build-id", "A.b_c-9", "-x", "x-", "a/b/c", "Example.com/x", "/x", "x/", "x".repeat(63), "x".repeat(64), "a..b/x", "ex_ample.com/x"];
  for (const key of keys) {
    const valid = labelKeyProblems(key).length === 0;
    assert.equal(keyPattern.test(key), valid, `label key ${key}`);
    const accepted = (() => {
      try {
        parseConfig(`volatileLabelKeys: [${JSON.stringify(key)}]\n`, "c.yaml");
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(accepted, valid, `validator on label key ${key}`);
    assert.equal(labelPattern.test(key), valid, `allowedOverlaps label ${key}`);
    assert.equal(labelPattern.test(`${key}=v1.0`), valid, `allowedOverlaps label ${key}=v1.0`);
  }
  assert.equal(labelPattern.test("a=-bad"), false);
  assert.throws(() => parseConfig("allowedOverlaps: [{label: a=-bad}]\n", "c.yaml"), InputError);

  for (const [key, good, bad] of [
    ["kubernetesVersion", ["1.30", "v1.30.2"], ["1", "latest", "1.30.x"]],
    ["argoRolloutsVersion", ["1.8"], ["v1"]],
  ] as const) {
    const pattern = new RegExp(properties[key]!.pattern as string);
    for (const value of good) {
      assert.ok(pattern.test(value));
      assert.doesNotThrow(() => parseConfig(`${key}: "${value}"\n`, "c.yaml"));
    }
    for (const value of bad) {
      assert.ok(!pattern.test(value));
      assert.throws(() => parseConfig(`${key}: "${value}"\n`, "c.yaml"), InputError);
    }
  }
});

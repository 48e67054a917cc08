/**
 * The JSON Schema of `.chartguard.yaml`, generated from CONFIG_SHAPE (the validator's own
 * description of every key) and the rule registry, so that editors complete exactly what
 * chartguard accepts. The published copy is src/config/schema.json; a test checks that it
 * is up to date (`npm run config-schema` rewrites it).
 */
import { CHECK_RULES, UPGRADE_RULES } from "../analyze/rules/index.ts";
import { CONFIG_SHAPE, type ObjectShape, type Shape } from "./config.ts";

export const SCHEMA_ID = "https://unpkg.com/chartguard/src/config/schema.json";

type JsonSchema = Record<string, unknown>;

export function configSchema(): JsonSchema {
  // Ids only (no summaries), so that rewording a rule does not make the schema stale.
  const ruleIds = [...CHECK_RULES, ...UPGRADE_RULES].map((rule) => rule.meta.id);

  const convert = (shape: Shape): JsonSchema => {
    switch (shape.type) {
      case "object":
        return objectSchema(shape);
      case "oneOf":
        return { description: shape.description, oneOf: shape.variants.map(objectSchema) };
      case "map":
        if (shape.keys === "rule") {
          // Listed one by one, so that editors complete rule ids.
          const value = convert(shape.values);
          return {
            type: "object",
            description: shape.description,
            propertyNames: { $ref: "#/$defs/ruleId" },
            properties: Object.fromEntries(ruleIds.map((id) => [id, value])),
            additionalProperties: false,
          };
        }
        return { type: "object", description: shape.description, propertyNames: { minLength: 1 }, additionalProperties: convert(shape.values) };
      case "array":
        return { type: "array", description: shape.description, items: convert(shape.items) };
      case "boolean":
        return { type: "boolean", description: shape.description };
      case "enum":
        return { type: "string", description: shape.description, enum: [...shape.values] };
      case "string":
        return {
          type: "string",
          description: shape.description,
          ...(shape.pattern === undefined ? {} : { pattern: shape.pattern }),
          ...(shape.maxLength === undefined ? {} : { maxLength: shape.maxLength }),
          ...(shape.format === "label-key" ? { pattern: LABEL_KEY_PATTERN } : {}),
          ...(shape.format === "label-selector" ? { pattern: LABEL_SELECTOR_PATTERN } : {}),
          ...(shape.examples === undefined ? {} : { examples: [...shape.examples] }),
        };
    }
  };
  const objectSchema = (shape: ObjectShape): JsonSchema => ({
    type: "object",
    description: shape.description,
    ...(shape.required === undefined ? {} : { required: [...shape.required] }),
    properties: Object.fromEntries(Object.entries(shape.properties).map(([key, child]) => [key, convert(child)])),
    additionalProperties: false,
  });

  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: SCHEMA_ID,
    title: "chartguard configuration (.chartguard.yaml)",
    ...objectSchema(CONFIG_SHAPE),
    $defs: { ruleId: { type: "string", enum: ruleIds } },
  };
}

/** Label keys as Kubernetes checks them: optional DNS subdomain prefix and `/`, then a name of at most 63 characters. */
const NAME = "([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]";
const PREFIX = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const LABEL_KEY_PATTERN = `^(${PREFIX}/)?${NAME}$`;
const LABEL_SELECTOR_PATTERN = `^(${PREFIX}/)?${NAME}(=(${NAME})?)?$`;

/** schema.json as written to disk: two-space JSON and a final newline. */
export function configSchemaText(): string {
  return `${JSON.stringify(configSchema(), null, 2)}\n`;
}

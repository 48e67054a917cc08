/**
 * A small JSON Schema (draft 2020-12) validator for the keywords chartguard's output schema
 * uses: $ref into $defs, allOf, type, const, enum, required, properties,
 * additionalProperties: false, items, minimum. An unknown keyword fails loudly, so the
 * schema cannot grow past what this checks.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set(["$schema", "$id", "$defs", "title", "description", "$ref", "allOf", "type", "const", "enum", "required", "properties", "additionalProperties", "items", "minimum"]);

export function validate(schema: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const defs = (schema.$defs ?? {}) as Record<string, Schema>;
  const check = (s: Schema, v: unknown, at: string): void => {
    for (const key of Object.keys(s)) if (!KNOWN.has(key)) throw new Error(`schema keyword ${key} at ${at} is not supported by this validator`);
    if (typeof s.$ref === "string") check(defs[s.$ref.replace("#/$defs/", "")]!, v, at);
    for (const part of (s.allOf ?? []) as Schema[]) check(part, v, at);
    if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(v)) errors.push(`${at}: must be ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.includes(v)) errors.push(`${at}: must be one of ${s.enum.join(", ")}`);
    if (typeof s.type === "string" && !hasType(v, s.type)) return void errors.push(`${at}: must be ${s.type}`);
    if (typeof s.minimum === "number" && typeof v === "number" && v < s.minimum) errors.push(`${at}: must be >= ${s.minimum}`);
    if (Array.isArray(v) && s.items) v.forEach((item, i) => check(s.items as Schema, item, `${at}[${i}]`));
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const record = v as Record<string, unknown>;
      for (const key of (s.required ?? []) as string[]) if (!(key in record)) errors.push(`${at}: missing ${key}`);
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      for (const [key, item] of Object.entries(record)) {
        if (properties[key]) check(properties[key], item, `${at}.${key}`);
        else if (s.additionalProperties === false) errors.push(`${at}: unexpected ${key}`);
      }
    }
  };
  check(schema, value, "$");
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}

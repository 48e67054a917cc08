// Writes src/config/schema.json, the published JSON Schema of .chartguard.yaml, from the
// config validator's shape and the rule registry (src/config/schema.ts):
//   npm run config-schema
// test/config/schema.test.ts fails while the committed file differs from what this writes.
import { writeFileSync } from "node:fs";

const { configSchemaText } = await import(new URL("../src/config/schema.ts", import.meta.url).href);
const target = new URL("../src/config/schema.json", import.meta.url);
writeFileSync(target, configSchemaText());
console.log(`wrote ${target.pathname}`);

// The npm peer on the same input as chartguard: @monokle/validation, the Kubernetes
// validation library of Monokle, with its core plugins that run offline (kubernetes-schema
// downloads its schemas, so it stays off). A `kind: List` (a cluster dump) is given item by
// item, as its resources. Prints what it found on stdout; the bench measures the process.
//
//   node bench/peer.mjs FILE
import { readFileSync } from "node:fs";
import { createDefaultMonokleValidator } from "@monokle/validation";
import { isMap, isSeq, parseAllDocuments } from "yaml";

const file = process.argv[2];
const text = readFileSync(file, "utf8");
const resources = [];
const add = (node) => {
  const content = node.toJSON();
  if (content === null || typeof content !== "object") return;
  const [start, , end] = node.range;
  const { kind = "", apiVersion = "", metadata = {} } = content;
  resources.push({ id: `r${resources.length}`, fileId: "input", filePath: file, fileOffset: start, name: metadata.name ?? "", apiVersion, kind, namespace: metadata.namespace, content, text: text.slice(start, end) });
};
for (const doc of parseAllDocuments(text)) {
  const root = doc.contents;
  const items = isMap(root) && /List$/.test(String(root.get("kind"))) ? root.get("items", true) : undefined;
  if (isSeq(items)) for (const item of items.items) add(item);
  else if (root) add(root);
}
const validator = createDefaultMonokleValidator();
await validator.preload({
  plugins: { "yaml-syntax": true, "resource-links": true, "pod-security-standards": true, practices: true, metadata: true, "kubernetes-schema": false },
});
const response = await validator.validate({ resources });
const problems = response.runs.reduce((count, run) => count + run.results.length, 0);
console.log(JSON.stringify({ resources: resources.length, problems }));

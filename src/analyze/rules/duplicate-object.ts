import { isDeepStrictEqual } from "node:util";
import { refString, type KubeObject } from "../../model/object.ts";
import { duplicateCopies } from "../duplicates.ts";
import { type Rule, ruleHelpUri } from "../rule.ts";

/**
 * The same object (API group, kind, namespace and name) rendered twice by one source: one
 * chart render, or one manifest file (analyze/duplicates.ts). The cluster holds one object
 * per identity, so only one copy can take effect. Copies from different files are left
 * alone: a folder of manifests often holds variants of one object (overlays, examples)
 * that are never applied together. Hooks are left alone too: Helm runs them one by one,
 * outside the release's object set.
 */
const DUPLICATE_OUTCOME =
  "Helm 3's `helm install` creates the first copy and fails on the second with \"already exists\"; where the release already has the object, each upgrade applies both copies and the later one wins, so the earlier copy's content never takes effect.";

const CRDS_FOLDER_OUTCOME =
  "Helm installs the CustomResourceDefinitions of every crds/ folder before the release, skips one that already exists, and never upgrades them: the copy it meets first is installed and the other never takes effect. Tools that apply the output of `helm template --include-crds` apply both, and the later one wins.";

export const duplicateObject: Rule = {
  meta: {
    id: "duplicate-object",
    severity: "warning",
    summary: "The same object (kind, namespace, name) is rendered twice: only one copy can exist in the cluster.",
    messages: {
      renderedTwice: "{{object}} is rendered twice by {{first}}: only one copy can exist in the cluster",
      renderedByTwo: "{{object}} is rendered by both {{first}} and {{second}}: only one copy can exist in the cluster",
      crdsFolderTwice: "{{object}} is in the crds/ folders of both {{first}} and {{second}}, in different versions: only one is installed",
    },
    details: {
      renderedTwice: DUPLICATE_OUTCOME,
      renderedByTwo: DUPLICATE_OUTCOME,
      crdsFolderTwice: CRDS_FOLDER_OUTCOME,
    },
    why:
      "Kubernetes keeps one object per kind, namespace and name. When a chart renders the same object twice (a template copied into a subchart, two components that name an object alike), Helm 3's `helm install` creates the first copy and stops with `... already exists` on the second, and where the release already has the object each upgrade applies both copies in turn, so the later one silently wins. Every rule that reads the two copies sees two objects where the cluster has one.",
    fix: "Render the object once: drop one of the templates, guard one with a condition, or give the two objects different names (from the fullname helper plus a component suffix).",
    migration:
      "Nothing to migrate: once the chart renders the object once, the next upgrade applies that copy. If the two copies differed, check that the one kept is the one the cluster should have.",
    incident:
      "helm/helm #2947: a chart whose subcharts each rendered the same Secret failed `helm upgrade --install` with `secrets \"secret-name\" already exists`; helm/helm #10045: with duplicate objects in a chart and its subchart, the later copy overwrote the earlier one.",
    helpUri: ruleHelpUri("duplicate-object"),
  },
  check(context, report) {
    for (const { copy: object, first: earlier } of duplicateCopies(context)) {
      const [first, second] = [sourceOf(earlier), sourceOf(object)];
      const identical = sameContent(earlier, object);
      // Two crds/ folders shipping one definition: Helm installs one and skips the other, harmless when they agree.
      const crdsFolders = earlier.doc.crdsFileStart !== undefined && object.doc.crdsFileStart !== undefined;
      if (crdsFolders && identical) continue;
      report({
        object,
        path: ["metadata", "name"],
        messageId: crdsFolders ? "crdsFolderTwice" : first === second ? "renderedTwice" : "renderedByTwo",
        data: { object: refString(object.ref), first, second },
        related: [earlier],
        evidence: { identical, first, second },
        ...(crdsFolders
          ? { severity: "info", remedy: { text: "Ship the definition from one crds/ folder: turn off the dependency that brings the other copy, or keep both at the same version." } }
          : {}),
      });
    }
  },
};

/**
 * Whether two copies agree. A CustomResourceDefinition's value lacks its schemas (cut before
 * parsing, load/crd-schemas.ts), so two definitions are compared by their text, `# Source:` lines aside.
 */
function sameContent(earlier: KubeObject, object: KubeObject): boolean {
  if (object.ref.kind !== "CustomResourceDefinition" || earlier.doc.text === undefined || object.doc.text === undefined) {
    return isDeepStrictEqual(earlier.raw, object.raw);
  }
  const content = (text: string) => text.replace(/^# Source: .*$/gm, "").trim();
  return content(earlier.doc.text) === content(object.doc.text);
}

function sourceOf(object: KubeObject): string {
  return object.doc.template ?? object.doc.file;
}

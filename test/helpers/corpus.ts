/**
 * The real rendered chart pairs in ../shared/corpus (read-only, never copied into the
 * repository). Tests skip with a clear message where the folder is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseYamlStream, type YamlDocument } from "../../src/load/yaml.ts";
import { PROJECT_ROOT } from "./cli.ts";

export const CORPUS_DIR = join(PROJECT_ROOT, "..", "shared", "corpus");
export const CORPUS_MISSING = existsSync(join(CORPUS_DIR, "cases.yaml")) ? undefined : `${CORPUS_DIR} not found: corpus cases skipped`;

export interface CorpusExpectation {
  kind: string;
  name: string;
  field: string;
  outcome: "upgrade-fails" | "needless-rollout" | "overlap" | "ok";
  optional?: boolean;
  matches?: string[];
}

export interface CorpusCase {
  id: string;
  namespace: string;
  expected: CorpusExpectation[];
}

export function corpusCases(): CorpusCase[] {
  if (CORPUS_MISSING) return [];
  return parse(readFileSync(join(CORPUS_DIR, "cases.yaml"), "utf8")) as CorpusCase[];
}

export function corpusDocuments(id: string, side: "from" | "to"): YamlDocument[] {
  const file = join(CORPUS_DIR, id, `${side}.yaml`);
  return parseYamlStream(readFileSync(file, "utf8"), file);
}

/** `Job/fleet-migration (pre-install,pre-upgrade hook)` → `Job/fleet-migration`. */
export function matchedObject(entry: string): string {
  return entry.split(" ")[0]!;
}

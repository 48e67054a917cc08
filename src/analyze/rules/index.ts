/** Every rule chartguard runs, in one explicit list. */
import type { Rule } from "../rule.ts";
import { selectorMismatch } from "./selector-mismatch.ts";

export const CHECK_RULES: readonly Rule[] = [selectorMismatch];

export function ruleById(id: string): Rule | undefined {
  return CHECK_RULES.find((rule) => rule.meta.id === id);
}

/** Text as a regular expression that matches it literally; in load/, the first stage, so every stage can use it. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

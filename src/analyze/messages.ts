/**
 * Messages by id, as typescript-eslint's rules declare them: a rule's `meta.messages` maps an
 * id to a one-line template, `meta.details` the same id to the full explanation, and a finding
 * names the id with the data that fills `{{placeholders}}`. Prose stays in `meta`; a rule's
 * logic picks an id and gathers facts (names, labels, values, paths, counts).
 */

/** The facts a message is filled from. Values are plain data, never sentences built in code. */
export type MessageData = Readonly<Record<string, string | number>>;

/** `{{name}}` in a template; its one group is the name. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/** The names a template expects, in order of first use. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * Fills a template. A placeholder without data is a programming error in the rule, not bad
 * input, so it throws (the meta-tests catch it before a user could).
 */
export function formatMessage(template: string, data: MessageData, where: string): string {
  const parts = templateParts(template);
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const value = data[parts[i]!];
    if (value === undefined) throw new Error(`${where} needs data "${parts[i]}"`);
    out += String(value) + parts[i + 1]!;
  }
  return out;
}

/**
 * A template split once into text and placeholder names (text, name, text, ...): a dump
 * with a finding on most objects fills the same few templates for each, and joining the
 * pieces keeps the template's text shared instead of copying it into every message.
 */
function templateParts(template: string): readonly string[] {
  let parts = splitTemplates.get(template);
  if (parts === undefined) {
    parts = template.split(PLACEHOLDER);
    splitTemplates.set(template, parts);
  }
  return parts;
}

const splitTemplates = new Map<string, readonly string[]>();

/** The text with its first letter upper-cased (a clause that starts a sentence). */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `a`, `a and b`, `a, b and c`: names listed in a message. */
export function andList(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

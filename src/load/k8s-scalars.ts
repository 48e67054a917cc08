/**
 * How Kubernetes reads a plain YAML scalar. The API machinery decodes YAML with
 * sigs.k8s.io/yaml (go-yaml v2 resolution, then JSON), which differs from YAML 1.2:
 * `yes`/`on`/`y` are booleans, `0777` is octal, `1_000` is 1000, timestamps and
 * sexagesimal numbers stay strings. Both YAML parsers chartguard uses resolve plain
 * scalars through this one function, so they cannot disagree. The conformance test
 * checks it against Helm's `fromYaml`, which is sigs.k8s.io/yaml itself.
 */

// strconv.ParseInt(s, 0, 64) accepts these forms (underscores already removed).
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/;
// strconv.ParseFloat accepts decimal floats with an optional exponent.
const GO_DECIMAL_FLOAT = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
// go-yaml only tries numbers for plain scalars that start with one of these.
const NUMBER_HINT = /^[-+.0-9]/;

// Every plain scalar of a document comes through these two, keys included: written as
// comparisons, which fail on the length for nearly all, not as set lookups, which hash each string.

export function isNullScalar(text: string): boolean {
  return text === "" || text === "~" || text === "null" || text === "Null" || text === "NULL";
}

export function boolScalar(text: string): boolean | undefined {
  if (text.length > 5) return undefined;
  switch (text) {
    case "y": case "Y": case "yes": case "Yes": case "YES": case "true": case "True": case "TRUE": case "on": case "On": case "ON":
      return true;
    case "n": case "N": case "no": case "No": case "NO": case "false": case "False": case "FALSE": case "off": case "Off": case "OFF":
      return false;
    default:
      return undefined;
  }
}

export function intScalar(text: string): number | undefined {
  if (isPlainDecimal(text)) return Number(text);
  if (!NUMBER_HINT.test(text)) return undefined;
  const match = GO_INT.exec(text.replaceAll("_", ""));
  if (!match) return undefined;
  const sign = match[1] === "-" ? -1 : 1;
  const [, , hex, octal, binary, leadingZeroOctal, decimal] = match;
  let magnitude: number;
  if (hex !== undefined) magnitude = parseInt(hex, 16);
  else if (octal !== undefined) magnitude = parseInt(octal, 8);
  else if (binary !== undefined) magnitude = parseInt(binary, 2);
  else if (leadingZeroOctal !== undefined) magnitude = leadingZeroOctal === "" ? 0 : parseInt(leadingZeroOctal, 8);
  else magnitude = Number(decimal);
  return sign * magnitude;
}

/** `0` or `[1-9][0-9]*`, the form nearly every integer in a manifest has: read without the regular expressions. */
function isPlainDecimal(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first === 48 /* 0 */) return text.length === 1;
  if (!(first > 48 && first <= 57)) return false;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Integers first: ParseFloat would read `0777` as 777 where ParseInt gives 511. */
export function floatScalar(text: string): number | undefined {
  const int = intScalar(text);
  if (int !== undefined || !NUMBER_HINT.test(text)) return int;
  const plain = text.replaceAll("_", "");
  return GO_DECIMAL_FLOAT.test(plain) ? Number(plain) : undefined;
}

/** The value Kubernetes gives an untagged plain scalar. */
export function resolvePlainScalar(text: string): null | boolean | number | string {
  if (isNullScalar(text)) return null;
  const bool = boolScalar(text);
  if (bool !== undefined) return bool;
  return floatScalar(text) ?? text;
}

/** The value of a scalar with an explicit core tag (`!!str 1`, `!!bool "yes"`). */
export function resolveTaggedScalar(tag: string, text: string): unknown {
  switch (tag) {
    case "tag:yaml.org,2002:str":
      return text;
    case "tag:yaml.org,2002:null":
      return null;
    case "tag:yaml.org,2002:bool":
      return boolScalar(text) ?? text;
    case "tag:yaml.org,2002:int":
    case "tag:yaml.org,2002:float":
      return floatScalar(text) ?? text;
    case "tag:yaml.org,2002:binary":
      return Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8");
    default:
      return resolvePlainScalar(text);
  }
}

/** A map key as it ends up in JSON: Go formats non-string keys with fmt. */
export function keyString(key: unknown): string {
  if (key === null) return "null";
  return String(key);
}

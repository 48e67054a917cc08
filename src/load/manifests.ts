/** Reading rendered manifests from files, directories and stdin. */
import { readFile, stat } from "node:fs/promises";
import { InputError } from "../errors.ts";
import { parseYamlStream, type YamlDocument } from "./yaml.ts";

export const STDIN = "-";

/** Decodes a file's bytes as UTF-8 text, refusing binary and non-UTF-8 content. */
export function decodeText(bytes: Uint8Array, file: string): string {
  if (bytes.includes(0)) throw new InputError("binary file (contains NUL bytes), not YAML", file);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError("not UTF-8 text; save the file as UTF-8", file);
  }
}

export async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new InputError(`cannot read: ${describeFsError(error)}`, file);
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return code ?? String(error);
  }
}


export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    throw new InputError(`cannot read: ${describeFsError(error)}`, path);
  }
}

/** Parses one manifest file (or `-` for stdin) into documents. */
export async function loadManifestFile(path: string): Promise<YamlDocument[]> {
  const file = path === STDIN ? "<stdin>" : path;
  const bytes = path === STDIN ? await readStdin() : await readBytes(path);
  return parseYamlStream(decodeText(bytes, file), file);
}

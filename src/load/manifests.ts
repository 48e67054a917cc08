/** Reading rendered manifests from files, directories and stdin. */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../errors.ts";
import { parseYamlStream, type YamlDocument } from "./yaml.ts";

const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;
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

/** Manifest files below a directory, in a stable order; hidden folders are skipped. */
export async function manifestFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new InputError(`cannot read directory: ${describeFsError(error)}`, dir);
  });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await manifestFilesIn(path)));
    else if (entry.isFile() && MANIFEST_EXTENSIONS.test(entry.name)) files.push(path);
  }
  return files;
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

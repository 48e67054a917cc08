/** Reading rendered manifests from files, directories and stdin. */
import { createReadStream, readFileSync, type Stats } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { InputError } from "../errors.ts";
import { collectGarbage } from "./collect-garbage.ts";
import { parseYamlStream, type YamlDocument } from "./yaml.ts";

export const STDIN = "-";

/** Decodes a file's bytes as UTF-8 text, refusing binary and non-UTF-8 content. */
export function decodeText(bytes: Uint8Array, file: string): string {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16) throw new InputError("UTF-16 text (it starts with a UTF-16 byte-order mark); save the file as UTF-8", file);
  if (bytes.includes(0)) throw new InputError("binary file (contains NUL bytes), not YAML", file);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError("not UTF-8 text; save the file as UTF-8", file);
  }
}

/**
 * The most chartguard reads from one input: far above any real manifest stream (100 MB takes
 * seconds), and a bound on memory for a stream that never ends (a pipe from /dev/zero).
 */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

function tooLarge(file: string): InputError {
  return new InputError(`larger than ${MAX_INPUT_BYTES / 1024 / 1024} MB; split it into several files`, file);
}

/** Reads a stream to its end, refusing to hold more than MAX_INPUT_BYTES. */
async function readCapped(stream: AsyncIterable<unknown> & { destroy?: () => void }, file: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > MAX_INPUT_BYTES) {
      stream.destroy?.();
      throw tooLarge(file);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readStdin(): Promise<Uint8Array> {
  return readCapped(process.stdin, "<stdin>");
}

/**
 * A pipe the caller handed over already open, as `check <(helm template ...)` does: its
 * writer exists. A named FIFO in the file system may have none, and opening it would block
 * a thread that not even a signal can end.
 */
const INHERITED_DESCRIPTOR = /^\/(dev|proc\/self)\/fd\/\d+$/;

/** What a file that is not a regular one is, for the message refusing it. */
function fileKind(info: Stats): string {
  if (info.isFIFO()) return "a FIFO";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isSocket()) return "a socket";
  return "not a file";
}

/**
 * The text of a regular file, or of a pipe the caller opened (`check <(helm template ...)`),
 * handed to `use`; named FIFOs, devices and sockets are refused before they are opened. The
 * text is not returned: once `use` is done with it, nothing refers to it any more (see
 * loadManifestFile).
 */
async function withText<T>(file: string, use: (text: string) => T): Promise<T> {
  if (file === STDIN) return use(decodeText(await readStdin(), "<stdin>"));
  let text: string;
  try {
    const info = await stat(file);
    if (info.isFIFO() && INHERITED_DESCRIPTOR.test(file)) {
      text = decodeText(await readCapped(createReadStream(file), file), file);
    } else {
      if (!info.isFile()) throw new InputError(`not a regular file (${fileKind(info)}); only stdin (-) is read as a stream`, file);
      if (info.size > MAX_INPUT_BYTES) throw tooLarge(file);
      // Decoded while read: no Buffer of the whole file, which would stay in memory (beside
      // its text) until the next full garbage collection, well into the analysis.
      text = readFileSync(file, "utf8");
      // Bytes that are not UTF-8 read as U+FFFD: then the bytes tell what is wrong (or that
      // the U+FFFD is really there), as they do for a NUL byte.
      if (text.includes("\uFFFD") || text.includes("\0")) text = decodeText(await readFile(file), file);
    }
  } catch (error) {
    throw error instanceof InputError ? error : new InputError(`cannot read: ${describeFsError(error)}`, file);
  }
  return use(text.startsWith("\uFEFF") ? text.slice(1) : text); // as TextDecoder drops a byte-order mark
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

/**
 * Before parsing text of at least this many characters, garbage is collected while the heap
 * is still small (a few milliseconds): measured, V8 then runs fewer full collections while
 * the parse builds its values (2 instead of 3 on an 86 MB dump), 5-7% faster from 19 MB on.
 */
const COLLECT_BEFORE_PARSE_CHARS = 8 * 1024 * 1024;
/**
 * After parsing text of at least this many characters, the text itself is collected (see
 * collect-garbage.ts): a full collection then costs about 0.8 ms per MB of text, and the
 * peak it saves, the size of the file, is what brings a dump's analysis toward a gigabyte.
 */
const COLLECT_AFTER_PARSE_CHARS = 128 * 1024 * 1024;

/** Parses one manifest file (or `-` for stdin) into documents. */
export async function loadManifestFile(path: string): Promise<YamlDocument[]> {
  const file = path === STDIN ? "<stdin>" : path;
  const { docs, chars } = await withText(path, (text) => {
    if (text.length >= COLLECT_BEFORE_PARSE_CHARS) collectGarbage();
    return { docs: parseYamlStream(text, file), chars: text.length };
  });
  // The documents hold js-yaml's copy of the text; the text read is garbage now.
  if (chars >= COLLECT_AFTER_PARSE_CHARS) collectGarbage();
  return docs;
}

/** Unpacking chart archives (.tgz) safely: nothing is written outside the destination. */
import { cpSync, existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { InputError } from "../errors.ts";
import { CHART_FILE, isChartDir } from "./chart.ts";

// ============================================================================================
// Chart archives (.tgz)
// ============================================================================================

/** Far above any real chart (Helm's own default limit is 100 MiB); stops gzip bombs. */
const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);

/**
 * Unpacks a chart archive into `destDir` and returns the chart root (the archive's single
 * top-level directory). Every entry is checked before anything is written: absolute paths,
 * `..` segments and links leading out of the archive make the whole archive refused. Only
 * regular files and directories are written.
 */
export async function extractChartArchive(tgzPath: string, destDir: string, options: ExtractOptions = {}): Promise<string> {
  const compressed = await readFile(tgzPath).catch((error: unknown) => {
    throw new InputError(`cannot read chart archive: ${errorMessage(error)}`, tgzPath);
  });
  const tar = await gunzipAsync(compressed, { maxOutputLength: MAX_ARCHIVE_BYTES }).catch((error: unknown) => {
    throw new InputError(`not a gzip-compressed chart archive: ${errorMessage(error)}`, tgzPath);
  });
  const entries = readTarEntries(tar, tgzPath);
  for (const entry of entries) checkEntryStaysInside(entry, tgzPath);
  const rootName = singleTopLevelDirectory(entries, tgzPath);
  await writeEntries(entries, destDir, tgzPath);
  if (options.followLinks === true) followLinks(entries, destDir);
  const chartRoot = path.join(destDir, rootName);
  if (!isChartDir(chartRoot)) throw new InputError(`the archive's ${rootName}/ has no ${CHART_FILE}`, tgzPath);
  return chartRoot;
}

/**
 * The regular files of a chart archive, in memory (path inside the archive → content),
 * for reading a packaged subchart's templates without unpacking it. Links and entries that
 * would leave the archive are skipped, not followed.
 */
export async function chartArchiveFiles(tgzPath: string): Promise<Map<string, Buffer>> {
  const tar = await gunzipAsync(await readFile(tgzPath), { maxOutputLength: MAX_ARCHIVE_BYTES });
  const files = new Map<string, Buffer>();
  for (const entry of readTarEntries(tar, tgzPath)) {
    if (entry.type === "file" && !entry.name.split("/").includes("..") && !path.isAbsolute(entry.name)) files.set(entry.name, entry.data);
  }
  return files;
}

export interface ExtractOptions {
  /**
   * Write each symlink as a copy of what it points to (inside the archive, as checked), the
   * way a chart in a work tree reads through its links: for a chart taken from git, which
   * must equal the work tree at that commit. Without it, links are not written.
   */
  followLinks?: boolean;
}

type TarEntryType = "file" | "directory" | "symlink" | "hardlink" | "other";

interface TarEntry {
  name: string;
  type: TarEntryType;
  linkName: string;
  data: Buffer;
}

/** Attributes that a pax (`x`) or GNU (`L`, `K`) header sets for the entry that follows it. */
interface PendingAttributes {
  path?: string;
  linkPath?: string;
  size?: number;
}

const BLOCK = 512;

/** A minimal tar reader: ustar (with prefix), GNU long names and links, pax path/linkpath/size. */
function readTarEntries(tar: Buffer, archive: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let pending: PendingAttributes = {};
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break; // end-of-archive marker
    verifyHeaderChecksum(header, archive, offset);
    const typeFlag = String.fromCharCode(header[156] ?? 0);
    const isMetadata = typeFlag === "x" || typeFlag === "g" || typeFlag === "L" || typeFlag === "K";
    const size = isMetadata ? headerNumber(header, 124, 12, archive) : (pending.size ?? headerNumber(header, 124, 12, archive));
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.length) throw new InputError(`truncated tar entry at byte ${offset}`, archive);
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (typeFlag === "L") pending.path = cString(data);
    else if (typeFlag === "K") pending.linkPath = cString(data);
    else if (typeFlag === "x") pending = { ...pending, ...paxAttributes(data, archive) };
    else if (typeFlag !== "g") {
      // A global pax header (`g`) carries defaults such as mtime that a chart does not need.
      entries.push(tarEntry(header, typeFlag, pending, data));
      pending = {};
    }
  }
  return entries;
}

function tarEntry(header: Buffer, typeFlag: string, pending: PendingAttributes, data: Buffer): TarEntry {
  const name = pending.path ?? ustarName(header);
  const linkName = pending.linkPath ?? cString(header.subarray(157, 257));
  return { name, type: entryType(typeFlag, name), linkName, data };
}

function entryType(typeFlag: string, name: string): TarEntryType {
  switch (typeFlag) {
    case "0":
    case "\0":
    case "7":
      return name.endsWith("/") ? "directory" : "file"; // pre-POSIX tars mark directories by a trailing slash
    case "5":
      return "directory";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    default:
      return "other";
  }
}

function ustarName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  // POSIX ustar splits long names into prefix + name; GNU's "ustar  " magic uses that space otherwise.
  const isPosixUstar = header.toString("latin1", 257, 263) === "ustar\0";
  const prefix = isPosixUstar ? cString(header.subarray(345, 500)) : "";
  return prefix === "" ? name : `${prefix}/${name}`;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString("utf8", 0, end === -1 ? bytes.length : end);
}

/** Numeric header fields are octal text, or base-256 when the first byte's high bit is set. */
function headerNumber(header: Buffer, start: number, length: number, archive: string): number {
  const field = header.subarray(start, start + length);
  if (((field[0] ?? 0) & 0x80) !== 0) {
    return [...field.subarray(1)].reduce((value, byte) => value * 256 + byte, (field[0] ?? 0) & 0x7f);
  }
  const text = field.toString("latin1").replace(/[\0 ]+$/, "").trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new InputError(`not a tar archive (bad number "${text}" in a header)`, archive);
  return Number.parseInt(text, 8);
}

function verifyHeaderChecksum(header: Buffer, archive: string, offset: number): void {
  const stored = headerNumber(header, 148, 8, archive);
  let sum = 0;
  for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 0x20 : header[index]!;
  if (sum !== stored) throw new InputError(`not a tar archive (bad header checksum at byte ${offset})`, archive);
}

/** pax records: `<length> <key>=<value>\n`, the length counting the whole record. */
function paxAttributes(data: Buffer, archive: string): PendingAttributes {
  const attributes: PendingAttributes = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const length = Number.parseInt(data.toString("latin1", offset, space), 10);
    if (space === -1 || !Number.isInteger(length) || length <= 0 || offset + length > data.length) {
      throw new InputError("not a tar archive (bad pax header)", archive);
    }
    const record = data.toString("utf8", space + 1, offset + length - 1); // drop the trailing newline
    const equals = record.indexOf("=");
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === "path") attributes.path = value;
    else if (key === "linkpath") attributes.linkPath = value;
    else if (key === "size") attributes.size = Number.parseInt(value, 10);
    offset += length;
  }
  return attributes;
}

function pathSegments(name: string): string[] {
  return name.split(/[/\\]/).filter((segment) => segment !== "" && segment !== ".");
}

function isAbsoluteEntryPath(name: string): boolean {
  return name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name);
}

function checkEntryStaysInside(entry: TarEntry, archive: string): void {
  const refuse = (reason: string) => new InputError(`refusing archive entry "${entry.name}": ${reason}`, archive);
  if (isAbsoluteEntryPath(entry.name)) throw refuse("absolute path");
  if (pathSegments(entry.name).includes("..")) throw refuse("path leads out of the archive (..)");
  if (entry.type !== "symlink" && entry.type !== "hardlink") return;
  if (isAbsoluteEntryPath(entry.linkName)) throw refuse(`link to an absolute path (${entry.linkName})`);
  // A symlink is relative to its own directory, a hard link to the archive root.
  const base = entry.type === "symlink" ? pathSegments(entry.name).slice(0, -1) : [];
  if (escapes([...base, ...pathSegments(entry.linkName)])) throw refuse(`link leads out of the archive (${entry.linkName})`);
}

function escapes(segments: readonly string[]): boolean {
  let depth = 0;
  for (const segment of segments) {
    depth += segment === ".." ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}

function singleTopLevelDirectory(entries: readonly TarEntry[], archive: string): string {
  const topLevel = new Set<string>();
  for (const entry of entries) {
    const segments = pathSegments(entry.name);
    if (segments.length === 1 && entry.type !== "directory") {
      throw new InputError(`a chart archive holds one chart directory, but "${entry.name}" is at its top level`, archive);
    }
    if (segments[0] !== undefined) topLevel.add(segments[0]);
  }
  if (topLevel.size !== 1) {
    const found = topLevel.size === 0 ? "it is empty" : `found ${[...topLevel].join(", ")}`;
    throw new InputError(`a chart archive holds exactly one top-level chart directory; ${found}`, archive);
  }
  return [...topLevel][0]!;
}

async function writeEntries(entries: readonly TarEntry[], destDir: string, archive: string): Promise<void> {
  await mkdir(destDir, { recursive: true });
  for (const entry of entries) {
    if (entry.type !== "file" && entry.type !== "directory") continue;
    const target = path.join(destDir, ...pathSegments(entry.name));
    try {
      if (entry.type === "directory") {
        await mkdir(target, { recursive: true });
      } else {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, entry.data);
      }
    } catch (error) {
      throw new InputError(`cannot extract "${entry.name}": ${errorMessage(error)}`, archive);
    }
  }
}

/**
 * Writes every link entry as a copy of its target. A link to a link is written once that
 * one is; a link whose target never appears (dangling, or a loop) is left out, as helm
 * leaves out what it cannot read.
 */
function followLinks(entries: readonly TarEntry[], destDir: string): void {
  let pending = entries.filter((entry) => entry.type === "symlink" || entry.type === "hardlink");
  while (pending.length > 0) {
    const waiting = pending.filter((entry) => {
      const segments = pathSegments(entry.name);
      const base = entry.type === "symlink" ? segments.slice(0, -1) : [];
      const target = path.join(destDir, ...base, ...pathSegments(entry.linkName));
      if (!existsSync(target)) return true;
      cpSync(target, path.join(destDir, ...segments), { recursive: true });
      return false;
    });
    if (waiting.length === pending.length) return;
    pending = waiting;
  }
}

// ============================================================================================
// Small helpers
// ============================================================================================

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}



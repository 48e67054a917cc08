/** A minimal ustar + gzip writer, for chart archives that `tar` would refuse to create (traversal, links, fifos). */
import { gzipSync } from "node:zlib";

export interface TarInput {
  name: string;
  type?: "file" | "directory" | "symlink" | "hardlink" | "fifo";
  content?: string;
  linkName?: string;
}

const TYPE_FLAGS = { file: "0", directory: "5", symlink: "2", hardlink: "1", fifo: "6" } as const;

export function tarGz(entries: readonly TarInput[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.content ?? "");
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, "utf8");
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write(TYPE_FLAGS[entry.type ?? "file"], 156);
    header.write(entry.linkName ?? "", 157, 100, "utf8");
    header.write("ustar\u000000", 257, "latin1");
    // The checksum is computed with its own field as spaces.
    header.fill(0x20, 148, 156);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    header.write(`${checksum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

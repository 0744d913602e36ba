import { readFileSync, statSync } from 'node:fs';

/** Largest PEM file read: certificate chains are a few KB. */
const MAX_PEM_BYTES = 1024 * 1024;

/** A PEM file's contents, or why it cannot be used. */
export function readPemFile(path: string): { contents?: Buffer; problem?: string } {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { problem: stat.isDirectory() ? 'a directory' : 'not a regular file' };
    if (stat.size > MAX_PEM_BYTES) return { problem: `${stat.size} bytes; a PEM file is at most ${MAX_PEM_BYTES}` };
    const contents = readFileSync(path);
    return contents.length > MAX_PEM_BYTES ? { problem: `more than ${MAX_PEM_BYTES} bytes` } : { contents };
  } catch (error) {
    return { problem: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

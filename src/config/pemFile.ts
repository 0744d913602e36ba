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
    if (contents.length > MAX_PEM_BYTES) return { problem: `more than ${MAX_PEM_BYTES} bytes` };
    // Caught here, not at every export: a file of something else fails each TLS handshake with ERR_OSSL_PEM_NO_START_LINE.
    if (!contents.includes('-----BEGIN ')) return { problem: 'not PEM: no -----BEGIN line' };
    return { contents };
  } catch (error) {
    return { problem: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

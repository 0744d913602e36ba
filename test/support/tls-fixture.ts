import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the tests look for OpenSSL; the TLS tests are skipped when it is not there. */
export const OPENSSL = '/usr/bin/openssl';

/** Whether OpenSSL can be run to make the certificates. */
export function opensslAvailable(): boolean {
  return existsSync(OPENSSL);
}

/** A throwaway CA with a server certificate for 127.0.0.1 / localhost and a client certificate, as PEM files. */
export interface TlsFixture {
  readonly dir: string;
  /** The CA certificate: trust it to accept the server's and the client's certificates. */
  readonly caPath: string;
  readonly serverKey: Buffer;
  readonly serverCert: Buffer;
  readonly ca: Buffer;
  /** The client key and certificate, signed by the CA (mutual TLS). */
  readonly clientKeyPath: string;
  readonly clientCertPath: string;
  /** Removes the directory and everything in it. */
  remove(): void;
}

/**
 * Makes a CA, then a server certificate (subjectAltName DNS:localhost, IP:127.0.0.1, serverAuth) and a client
 * certificate (clientAuth), both signed by it, in a fresh temporary directory. Takes a few hundred milliseconds
 * (EC P-256 keys).
 */
export function makeTlsFixture(): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'otel-facade-tls-'));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync(OPENSSL, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const key = (name: string): void => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path(name));
  try {
    key('ca.key');
    openssl('req', '-x509', '-new', '-key', path('ca.key'), '-sha256', '-days', '2', '-subj', '/CN=otel-facade test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', path('ca.pem'));

    const issue = (name: string, subject: string, extensions: string): void => {
      key(`${name}.key`);
      openssl('req', '-new', '-key', path(`${name}.key`), '-subj', subject, '-out', path(`${name}.csr`));
      writeFileSync(path(`${name}.ext`), extensions);
      openssl('x509', '-req', '-in', path(`${name}.csr`), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial',
        '-days', '2', '-sha256', '-extfile', path(`${name}.ext`), '-out', path(`${name}.pem`));
    };
    issue('server', '/CN=localhost',
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
    issue('client', '/CN=otel-facade test client',
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n');
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    caPath: path('ca.pem'),
    ca: readFileSync(path('ca.pem')),
    serverKey: readFileSync(path('server.key')),
    serverCert: readFileSync(path('server.pem')),
    clientKeyPath: path('client.key'),
    clientCertPath: path('client.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

import type { SignalName } from '../health/Health';
import type { ExportFailure } from './ExportFailure';

/** The release of the OpenTelemetry gRPC exporters this library is built and tested with (its other exporters' too). */
export const GRPC_EXPORTER_VERSION = '0.223.0';

/** The official OTLP/gRPC exporter of each signal: an optional peer dependency, installed only for gRPC. */
export const GRPC_EXPORTER_PACKAGES: Readonly<Record<SignalName, string>> = {
  metrics: '@opentelemetry/exporter-metrics-otlp-grpc',
  traces: '@opentelemetry/exporter-trace-otlp-grpc',
};

/** The command that installs both, at the release this library uses. */
export const GRPC_INSTALL_COMMAND = `npm install ${GRPC_EXPORTER_PACKAGES.metrics}@${GRPC_EXPORTER_VERSION} ` +
  `${GRPC_EXPORTER_PACKAGES.traces}@${GRPC_EXPORTER_VERSION}`;

/** How the failure of a missing exporter ends: the command that installs it. */
export const GRPC_INSTALL_HINT = `; install the gRPC exporters with: ${GRPC_INSTALL_COMMAND}`;

/** Each signal's OTLP service, as the official exporters call it (grpc-js client name and method path). */
export const GRPC_SERVICES: Readonly<Record<SignalName, { readonly name: string; readonly path: string }>> = {
  metrics: { name: 'MetricsExportService', path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export' },
  traces: { name: 'TraceExportService', path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export' },
};

/** gRPC metadata (`@grpc/grpc-js`'s `Metadata`), as far as we use it. */
export interface GrpcMetadata {
  set(key: string, value: string | Buffer): void;
}

/** A failed call's error (`@grpc/grpc-js`'s `ServiceError`), read through guards. */
export interface GrpcCallError {
  readonly code?: unknown;
  readonly details?: unknown;
  readonly message?: unknown;
  readonly metadata?: { get(key: string): unknown[] };
}

/** A call under way; `cancel()` ends it with CANCELLED. */
export interface GrpcCall {
  cancel(): void;
}

/** A client of one OTLP service, made by the official constructor: requests and responses are bytes. */
export interface GrpcServiceClient {
  export(request: Buffer, metadata: GrpcMetadata, options: { deadline: number }, callback: (error: GrpcCallError | null, response?: Buffer) => void): GrpcCall;
  close(): void;
}

/** What the gRPC exporters' base package gives us: the service client constructor, credentials and metadata. */
export interface GrpcMachinery {
  /** The exporter package's version, for messages. */
  readonly version: string;
  createServiceClient(address: string, credentials: unknown, options: Record<string, unknown>, service: { name: string; path: string }): GrpcServiceClient;
  createInsecureCredentials(): unknown;
  createSslCredentials(rootCert?: Buffer, privateKey?: Buffer, certChain?: Buffer): unknown;
  createEmptyMetadata(): GrpcMetadata;
}

/** The machinery, or why it cannot be had. */
export type GrpcLoad = { readonly ok: true; readonly machinery: GrpcMachinery } | { readonly ok: false; readonly failure: ExportFailure };

/**
 * Loads the gRPC machinery of a signal's official exporter, when a signal is sent over gRPC and never otherwise: a
 * process that never uses gRPC never loads `@grpc/grpc-js`. The exporter package is found where this library is
 * installed; what it depends on (`@opentelemetry/otlp-grpc-exporter-base`, which loads `@grpc/grpc-js`) is loaded
 * from the exporter's own location, so the copies are the exporter's. Loading the exporter's module itself is not
 * needed: its base package holds the transport pieces, and the encoding is ours (the official serializer, so that
 * requests can be measured and split). Never throws: a missing or unusable package is a failure whose detail names
 * the command that installs it.
 */
export function loadGrpcMachinery(signal: SignalName): GrpcLoad {
  const name = GRPC_EXPORTER_PACKAGES[signal];
  let step = `${name} cannot be loaded`;
  try {
    const fromExporter = (require('node:module') as typeof import('node:module')).createRequire(require.resolve(name));
    const version = String((fromExporter(`${name}/package.json`) as { version?: unknown }).version);
    step = `${name} ${version} does not hold the gRPC exporter base this library uses`;
    const base = fromExporter('@opentelemetry/otlp-grpc-exporter-base') as Partial<GrpcMachinery>;
    const { createServiceClientConstructor } = fromExporter('@opentelemetry/otlp-grpc-exporter-base/build/src/create-service-client-constructor') as {
      createServiceClientConstructor?: (path: string, name: string) => new (address: string, credentials: unknown, options: Record<string, unknown>) => GrpcServiceClient;
    };
    const { createInsecureCredentials, createSslCredentials, createEmptyMetadata } = base;
    if (typeof createServiceClientConstructor !== 'function' || typeof createInsecureCredentials !== 'function' ||
      typeof createSslCredentials !== 'function' || typeof createEmptyMetadata !== 'function') {
      throw new Error('its functions are not there');
    }
    return {
      ok: true,
      machinery: {
        version,
        createServiceClient: (address, credentials, options, service) => {
          const Client = createServiceClientConstructor(service.path, service.name);
          return new Client(address, credentials, options);
        },
        createInsecureCredentials,
        createSslCredentials,
        createEmptyMetadata,
      },
    };
  } catch (error) {
    const why = firstLine(error);
    const missing = (error as { code?: unknown })?.code === 'MODULE_NOT_FOUND';
    // "is not installed" says it all when the exporter itself is missing; anything else is quoted.
    const problem = missing && why === `Cannot find module '${name}'` ? `${name} is not installed` : `${step} (${why})`;
    return {
      ok: false,
      failure: { kind: 'other', code: missing ? 'MODULE_NOT_FOUND' : undefined, retryable: false, detail: `${problem}${GRPC_INSTALL_HINT}` },
    };
  }
}

/** The first line of an error's message: Node's "Cannot find module" adds the require stack below it. */
function firstLine(error: unknown): string {
  const message = (error as { message?: unknown })?.message;
  const text = typeof message === 'string' ? message : String(error);
  const line = text.split('\n')[0];
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

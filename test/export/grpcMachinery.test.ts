import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRPC_EXPORTER_PACKAGES, GRPC_EXPORTER_VERSION, GRPC_INSTALL_COMMAND, GRPC_SERVICES, loadGrpcMachinery } from '../../src/export/grpcMachinery';

const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional?: boolean }>; devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};

describe('the gRPC exporters, an optional peer dependency', () => {
  it.each(Object.values(GRPC_EXPORTER_PACKAGES))('%s: an optional peer at the release the install command names, pinned in development', (name) => {
    expect(manifest.peerDependencies[name]).toBe(GRPC_EXPORTER_VERSION);
    expect(manifest.peerDependenciesMeta[name]).toEqual({ optional: true });
    expect(manifest.devDependencies[name]).toBe(GRPC_EXPORTER_VERSION);
    expect(manifest.dependencies[name]).toBeUndefined();
    expect(GRPC_INSTALL_COMMAND).toContain(`${name}@${GRPC_EXPORTER_VERSION}`);
  });

  it('is the release of our other OpenTelemetry experimental packages', () => {
    expect(manifest.dependencies['@opentelemetry/otlp-transformer']).toBe(GRPC_EXPORTER_VERSION);
  });

  it.each(['metrics', 'traces'] as const)('%s: the service name and method path are the official exporter\'s own', (signal) => {
    const file = signal === 'metrics' ? 'OTLPMetricExporter.js' : 'OTLPTraceExporter.js';
    const source = readFileSync(join(ROOT, 'node_modules', GRPC_EXPORTER_PACKAGES[signal], 'build', 'src', file), 'utf8');
    expect(source).toContain(`'${GRPC_SERVICES[signal].name}', '${GRPC_SERVICES[signal].path}'`);
  });

  it.each(['metrics', 'traces'] as const)('%s: loads the installed exporter\'s machinery', (signal) => {
    const load = loadGrpcMachinery(signal);
    if (!load.ok) throw new Error(load.failure.detail);
    expect(load.machinery.version).toBe(GRPC_EXPORTER_VERSION);
    expect(typeof load.machinery.createServiceClient).toBe('function');
  });
});

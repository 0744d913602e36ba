import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { Attributes } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config/TelemetryConfig';

/** One id per process, so that restarts and replicas are told apart; made at the first initialize(). */
let serviceInstanceId: string | undefined;

const OS_TYPES: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' };

/**
 * The resource every export carries. Lowest first: the SDK's `telemetry.sdk.*`, what we detect about the process,
 * OTEL_RESOURCE_ATTRIBUTES and `resourceAttributes`, then the service fields of the configuration. The profile
 * becomes `deployment.environment.name` only when it was named (in the config or OTEL_FACADE_PROFILE): the default
 * profile says nothing about where a service runs.
 */
export function buildResource(config: ResolvedConfig): Resource {
  const detected: Attributes = {
    // node:crypto and node:os load here, at initialize(), not when the package is required.
    'service.instance.id': (serviceInstanceId ??= (require('node:crypto') as typeof import('node:crypto')).randomUUID()),
    'host.name': (require('node:os') as typeof import('node:os')).hostname(),
    'os.type': OS_TYPES[process.platform] ?? process.platform,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'process.pid': process.pid,
  };
  if (config.profileNamed) detected['deployment.environment.name'] = config.profile;
  const service: Attributes = { 'service.name': config.serviceName };
  if (config.serviceVersion !== undefined) service['service.version'] = config.serviceVersion;
  if (config.serviceNamespace !== undefined) service['service.namespace'] = config.serviceNamespace;
  return defaultResource()
    .merge(resourceFromAttributes(detected))
    .merge(resourceFromAttributes(config.resourceAttributes))
    .merge(resourceFromAttributes(service));
}

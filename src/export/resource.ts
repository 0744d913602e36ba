import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { Attributes } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config/TelemetryConfig';

/** One id per process, so that restarts and replicas are told apart; made at the first initialize(). */
let serviceInstanceId: string | undefined;

const OS_TYPES: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' };

/** `process.arch` → the semantic conventions' `host.arch` values. */
const HOST_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm: 'arm32', ia32: 'x86', ppc: 'ppc32' };

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
    'host.arch': HOST_ARCH[process.arch] ?? process.arch,
  };
  const container = containerId();
  if (container !== undefined) detected['container.id'] = container;
  if (config.profileNamed) detected['deployment.environment.name'] = config.profile;
  const service: Attributes = { 'service.name': config.serviceName };
  if (config.serviceVersion !== undefined) service['service.version'] = config.serviceVersion;
  if (config.serviceNamespace !== undefined) service['service.namespace'] = config.serviceNamespace;
  return defaultResource()
    .merge(resourceFromAttributes(detected))
    .merge(resourceFromAttributes(config.resourceAttributes))
    .merge(resourceFromAttributes(service));
}

/** Most bytes read of a /proc file: enough for any cgroup or mount table a container has. */
const MAX_PROC_BYTES = 256 * 1024;

/**
 * The id of the container the process runs in (Docker, containerd, CRI-O under Kubernetes), as the
 * OpenTelemetry container detector reads it: from /proc/self/cgroup (cgroup v1), else from /proc/self/mountinfo
 * (cgroup v2, where the container's own files are mounted from `.../containers/<id>/`). Undefined outside a
 * container or where /proc cannot be read; read once, at initialize(), never throwing.
 */
export function containerId(read: (path: string) => string | undefined = readProcFile): string | undefined {
  return containerIdFrom(read('/proc/self/cgroup'), read('/proc/self/mountinfo'));
}

/** The container id in the text of /proc/self/cgroup or, failing that, /proc/self/mountinfo. */
export function containerIdFrom(cgroup: string | undefined, mountinfo: string | undefined): string | undefined {
  for (const line of (cgroup ?? '').split('\n')) {
    // The last path segment holding a 64-hex id: `.../docker/<id>`, `.../cri-containerd-<id>.scope`.
    const id = /([0-9a-f]{64})(?:\.scope)?\s*$/.exec(line)?.[1];
    if (id !== undefined) return id;
  }
  for (const line of (mountinfo ?? '').split('\n')) {
    // Docker's `.../containers/<id>/...`, or the directory holding the container's own /etc/hostname, hosts or
    // resolv.conf (containerd and CRI-O under Kubernetes).
    const id = /\/containers\/([0-9a-f]{64})\//.exec(line)?.[1] ?? /\/([0-9a-f]{64})\/(?:hostname|hosts|resolv\.conf)\s/.exec(line)?.[1];
    if (id !== undefined) return id;
  }
  return undefined;
}

function readProcFile(path: string): string | undefined {
  const fs = require('node:fs') as typeof import('node:fs');
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    // /proc files report no size and may answer a page per read: read until the end, or the cap.
    const buffer = Buffer.alloc(MAX_PROC_BYTES);
    let length = 0;
    for (let read = 1; read > 0 && length < MAX_PROC_BYTES;) {
      read = fs.readSync(fd, buffer, length, MAX_PROC_BYTES - length, null);
      length += read;
    }
    return buffer.toString('utf8', 0, length);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

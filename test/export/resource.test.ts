import { containerId, containerIdFrom } from '../../src/export/resource';
import * as telemetry from '../../src/index';
import { startTestBed } from '../support/telemetry';

const ID = 'a'.repeat(12) + '0123456789abcdef'.repeat(3) + 'b'.repeat(4);

describe('container.id', () => {
  it('is read from /proc/self/cgroup (cgroup v1: Docker, containerd, CRI-O scopes)', () => {
    expect(ID).toHaveLength(64);
    expect(containerIdFrom(`12:memory:/docker/${ID}\n11:cpu:/docker/${ID}\n`, undefined)).toBe(ID);
    expect(containerIdFrom(`0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-${ID}.scope\n`, undefined)).toBe(ID);
    expect(containerIdFrom(`1:name=systemd:/kubepods/burstable/pod1/${ID}`, undefined)).toBe(ID);
  });

  it('else from /proc/self/mountinfo (cgroup v2), and is absent outside a container', () => {
    const mountinfo = `1 2 0:1 / / rw - overlay overlay rw\n3 4 8:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw - ext4 /dev/sda1 rw\n`;
    expect(containerIdFrom('0::/\n', mountinfo)).toBe(ID);
    // containerd under Kubernetes: the container's own /etc/hostname comes from a directory named by its id.
    const containerd = `1 2 0:1 / / rw - overlay overlay rw\n5 1 259:1 /var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/${ID}/hostname /etc/hostname rw - ext4 /dev/root rw\n`;
    expect(containerIdFrom('0::/\n', containerd)).toBe(ID);
    expect(containerIdFrom('9:name=systemd:/\n0::/\n', '1 2 0:1 / / rw - ext4 /dev/sda1 rw\n')).toBeUndefined();
    expect(containerIdFrom(undefined, undefined)).toBeUndefined();
    expect(containerId(() => undefined)).toBeUndefined(); // /proc unreadable: nothing, never a throw
  });

  it('goes on the resource when found, with host.arch', async () => {
    const bed = await startTestBed();
    try {
      telemetry.counter('x.total');
      await telemetry.forceFlush();
      const resource = bed.receiver.metricRequests[0].resource;
      expect(resource['host.arch']).toBe({ x64: 'amd64', ia32: 'x86', arm: 'arm32' }[process.arch as string] ?? process.arch);
      expect(resource['container.id']).toBe(containerId());
    } finally {
      await bed.stop();
    }
  });
});

import { DescribeNodegroupCommand, type Nodegroup, UpdateNodegroupConfigCommand } from '@aws-sdk/client-eks';
import type { EksNodeGroupRef } from '../../core/config';
import { RolloutFailedError, RolloutTimeoutError } from '../../core/errors';
import { type NodeGroupSize, sameNodeGroupSize } from '../../core/shape';
import { AwsClients, aws } from '../aws/clients';

/** Reads and changes the size of EKS managed node groups. */
export interface NodeGroupAdapter {
  readSize(name: string, ref: EksNodeGroupRef): Promise<NodeGroupSize>;
  /**
   * Applies the size and resolves once the node group is ACTIVE in it, or throws after the timeout; with
   * `wait: false`, once EKS accepted the update (the drift guard's re-apply within a tick).
   */
  applySize(
    name: string,
    ref: EksNodeGroupRef,
    size: NodeGroupSize,
    timeoutSeconds: number,
    options?: { readonly wait?: boolean },
  ): Promise<NodeGroupSize>;
}

/**
 * EKS managed node groups: `DescribeNodegroup` and `UpdateNodegroupConfig` (scalingConfig), then waits
 * until the node group is ACTIVE again with the new scaling configuration (EKS answers the update at once
 * and works on it while the node group is UPDATING).
 */
export class EksNodeGroupAdapter implements NodeGroupAdapter {
  private readonly clients: AwsClients;
  private readonly pollMs: number;

  constructor(options: { clients?: AwsClients; pollMs?: number } = {}) {
    this.clients = options.clients ?? new AwsClients();
    this.pollMs = options.pollMs ?? 5000;
  }

  async readSize(name: string, ref: EksNodeGroupRef): Promise<NodeGroupSize> {
    return sizeOf(name, await this.describe(name, ref));
  }

  async applySize(
    name: string,
    ref: EksNodeGroupRef,
    size: NodeGroupSize,
    timeoutSeconds: number,
    options: { readonly wait?: boolean } = {},
  ): Promise<NodeGroupSize> {
    const current = await this.readSize(name, ref);
    if (!sameNodeGroupSize(current, size)) {
      await aws(`node group ${name}: update ${ref.cluster}/${ref.nodegroup}`, () =>
        this.clients.eksFor(ref.region, ref.roleArn).send(
          new UpdateNodegroupConfigCommand({
            clusterName: ref.cluster,
            nodegroupName: ref.nodegroup,
            scalingConfig: { ...size },
          }),
        ),
      );
    }
    if (options.wait === false) return size;
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const ng = await this.describe(name, ref);
      const now = sizeOf(name, ng);
      if (ng.status === 'ACTIVE' && sameNodeGroupSize(now, size)) return now;
      if (ng.status === 'DEGRADED' || ng.status === 'CREATE_FAILED') {
        const issues = (ng.health?.issues ?? []).map((i) => `${i.code}: ${i.message}`).join('; ');
        throw new RolloutFailedError(
          `node group ${name} (${ref.cluster}/${ref.nodegroup}) is ${ng.status}: ${issues}`,
        );
      }
      if (Date.now() >= deadline) {
        throw new RolloutTimeoutError(
          `node group ${name} (${ref.cluster}/${ref.nodegroup}) did not reach ${JSON.stringify(size)} within ${timeoutSeconds} s: ${ng.status} ${JSON.stringify(now)}`,
        );
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private async describe(name: string, ref: EksNodeGroupRef): Promise<Nodegroup> {
    const out = await aws(`node group ${name}: describe ${ref.cluster}/${ref.nodegroup}`, () =>
      this.clients
        .eksFor(ref.region, ref.roleArn)
        .send(new DescribeNodegroupCommand({ clusterName: ref.cluster, nodegroupName: ref.nodegroup })),
    );
    if (!out.nodegroup) throw new Error(`node group ${name}: ${ref.cluster}/${ref.nodegroup} not found`);
    return out.nodegroup;
  }
}

function sizeOf(name: string, ng: Nodegroup): NodeGroupSize {
  const s = ng.scalingConfig;
  if (s?.minSize === undefined || s.maxSize === undefined || s.desiredSize === undefined) {
    throw new Error(`node group ${name}: ${ng.nodegroupName} has no scaling configuration`);
  }
  return { minSize: s.minSize, maxSize: s.maxSize, desiredSize: s.desiredSize };
}

import { EksNodeGroupAdapter, type NodeGroupAdapter } from '../../adapters/eks/node-groups';

/** EKS managed node groups. */
export const nodeGroups = (): NodeGroupAdapter => new EksNodeGroupAdapter();

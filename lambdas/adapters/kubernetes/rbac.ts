import type { V1PolicyRule, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { CONDUCTOR_GROUP, PRODUCTION_READER_GROUP } from '../../contracts';

/**
 * The Kubernetes RBAC the conductor needs, and nothing more. Bound to groups, so that on EKS an access
 * entry only has to put the conductor's IAM role into the group (`kubernetesGroups`), and locally a token
 * in tokens.csv carries the group. The local cluster of the tests applies exactly these objects, so the
 * e2e tests prove they are enough.
 */

/** What the conductor does in a test namespace: patch Deployments and HPAs, run cleanup Jobs. */
const CONDUCTOR_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'patch'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'create'] },
  { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
];

/** What it reads in a production namespace: the Deployments' images and sizes, the HPAs' bounds. */
const PRODUCTION_READER_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get'] },
];

/**
 * What it does in the namespace of a Locust worker Deployment it sizes (`locust.workers` of type kubernetes):
 * read the Deployment, set its replicas through the scale subresource — which the Role of the applications'
 * namespaces does not cover (patch on `deployments` is not patch on `deployments/scale`).
 */
const LOCUST_WORKERS_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
  { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] },
];

/** A Role and its RoleBinding to a group in one namespace. */
function namespacedRbac(
  name: string,
  namespace: string,
  group: string,
  rules: readonly V1PolicyRule[],
): [V1Role, V1RoleBinding] {
  const labels = { 'app.kubernetes.io/managed-by': 'load-test-conductor' };
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace, labels },
      rules: [...rules],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
    },
  ];
}

/** The conductor's Role in a test namespace. */
export function conductorRbac(namespace: string): [V1Role, V1RoleBinding] {
  return namespacedRbac('load-test-conductor', namespace, CONDUCTOR_GROUP, CONDUCTOR_RULES);
}

/** The read-only Role in a production namespace. */
export function productionReaderRbac(namespace: string): [V1Role, V1RoleBinding] {
  return namespacedRbac(
    'load-test-conductor-reader',
    namespace,
    PRODUCTION_READER_GROUP,
    PRODUCTION_READER_RULES,
  );
}

/** The conductor's Role in the namespace of the Locust worker Deployment. */
export function locustWorkersRbac(namespace: string): [V1Role, V1RoleBinding] {
  return namespacedRbac(
    'load-test-conductor-locust-workers',
    namespace,
    CONDUCTOR_GROUP,
    LOCUST_WORKERS_RULES,
  );
}

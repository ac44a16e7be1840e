import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import {
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  createConfiguration,
  type Middleware,
  type SecurityAuthentication,
  ServerConfiguration,
} from '@kubernetes/client-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { Agent } from 'undici';
import { type KubernetesCluster, kubernetesClusterTarget } from '../../core/config';
import { apiRequestTimeoutMs } from '../aws/transient';
import { EKS_TOKEN_LIFETIME_MS, eksToken } from './eks-token';

/** The typed API groups the conductor uses on one cluster, as one identity. */
export interface KubeApis {
  /** `eks:<region>/<name>` or `kubernetes:<endpoint>`: names the cluster in messages. */
  readonly target: string;
  readonly apps: AppsV1Api;
  readonly autoscaling: AutoscalingV2Api;
  readonly batch: BatchV1Api;
  readonly core: CoreV1Api;
}

/** Connects to the cluster a platform names, as the identity that cluster reference carries. */
export type KubeConnector = (cluster: KubernetesCluster) => Promise<KubeApis>;

export interface EksEndpoint {
  readonly endpoint: string;
  /** Base64 of the PEM CA certificate. */
  readonly caData: string;
}

export interface KubeConnectorOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** EKS endpoint and CA. Default: `DescribeCluster`. Injectable: moto's are random, a test cluster is local. */
  readonly describeEks?: (eks: NonNullable<KubernetesCluster['eks']>) => Promise<EksEndpoint>;
  /** EKS bearer token. Default: {@link eksToken} signed with the Lambda's credentials, or the assumed `roleArn`'s. */
  readonly eksToken?: (eks: NonNullable<KubernetesCluster['eks']>) => Promise<string>;
  /** Renew connections (and with them EKS tokens) this long before the token expires. */
  readonly renewBeforeMs?: number;
}

/**
 * A {@link KubeConnector} that keeps one connection per cluster reference and renews it before an EKS
 * token would expire (15 min), so a long rollout wait never runs on a stale token.
 */
export function kubeConnector(options: KubeConnectorOptions = {}): KubeConnector {
  const env = options.env ?? process.env;
  const cache = new Map<string, { apis: Promise<KubeApis>; renewAt: number }>();
  const renewBefore = options.renewBeforeMs ?? 5 * 60_000;
  return async (cluster) => {
    const key = JSON.stringify(cluster);
    const hit = cache.get(key);
    if (hit && Date.now() < hit.renewAt) return hit.apis;
    const apis = connect(cluster, env, options);
    cache.set(key, { apis, renewAt: Date.now() + EKS_TOKEN_LIFETIME_MS - renewBefore });
    apis.catch(() => cache.delete(key));
    return apis;
  };
}

async function connect(
  cluster: KubernetesCluster,
  env: NodeJS.ProcessEnv,
  options: KubeConnectorOptions,
): Promise<KubeApis> {
  const target = kubernetesClusterTarget(cluster);
  let server: string;
  let caData: string | undefined;
  let token: string;
  if (cluster.eks) {
    const [where, bearer] = await Promise.all([
      (options.describeEks ?? describeEksCluster)(cluster.eks),
      (options.eksToken ?? defaultEksToken)(cluster.eks),
    ]);
    server = where.endpoint;
    caData = where.caData;
    token = bearer;
  } else if (cluster.endpoint) {
    server = cluster.endpoint;
    caData = cluster.caData;
    const name = cluster.tokenEnv;
    const value = name ? env[name] : undefined;
    if (!name || !value) {
      throw new Error(
        `${target}: no bearer token (environment variable ${name ?? '(tokenEnv unset)'} is empty)`,
      );
    }
    token = value;
  } else {
    throw new Error('a Kubernetes cluster reference needs eks or endpoint');
  }
  return { target, ...makeApis(server, caData, token) };
}

/**
 * Typed API clients for a server, CA (base64 PEM) and bearer token, sharing one pool of kept-alive TLS
 * connections. (client-node's KubeConfig authentication makes a new undici Agent for every request, so
 * every call — each poll of a rollout — paid a TCP and TLS handshake on both sides.)
 */
export function makeApis(
  server: string,
  caData: string | undefined,
  token: string,
): Omit<KubeApis, 'target'> {
  const connections = new Agent({
    connect: caData ? { ca: Buffer.from(caData, 'base64').toString() } : {},
  });
  const bearer: SecurityAuthentication = {
    getName: () => 'bearer token',
    applySecurityAuthentication: (context) => {
      context.setHeaderParam('Authorization', `Bearer ${token}`);
      context.setDispatcher(connections);
    },
  };
  // Plus a timeout on every request: an API server that never answers must fail the call (a transient
  // error), not hang the step until its Lambda is killed.
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: bearer },
    promiseMiddleware: [requestTimeout(apiRequestTimeoutMs())],
  });
  return {
    apps: new AppsV1Api(configuration),
    autoscaling: new AutoscalingV2Api(configuration),
    batch: new BatchV1Api(configuration),
    core: new CoreV1Api(configuration),
  };
}

/** Aborts a request after `ms` (undici raises a `TimeoutError`). */
function requestTimeout(ms: number): Middleware {
  return {
    pre: async (context) => {
      context.setSignal(AbortSignal.timeout(ms));
      return context;
    },
    post: async (context) => context,
  };
}

function credentialsFor(roleArn: string | undefined, region: string): AwsCredentialIdentityProvider {
  return roleArn
    ? fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: 'load-test-conductor', DurationSeconds: 900 },
        clientConfig: { region },
      })
    : fromNodeProviderChain();
}

function regionOf(eks: { region?: string }): string {
  const region = eks.region ?? process.env.AWS_REGION;
  if (!region) throw new Error(`EKS cluster: no region configured and AWS_REGION is not set`);
  return region;
}

async function describeEksCluster(eks: NonNullable<KubernetesCluster['eks']>): Promise<EksEndpoint> {
  const region = regionOf(eks);
  const client = new EKSClient({ region, credentials: credentialsFor(eks.roleArn, region) });
  const { cluster } = await client.send(new DescribeClusterCommand({ name: eks.name }));
  const endpoint = cluster?.endpoint;
  const caData = cluster?.certificateAuthority?.data;
  if (!endpoint || !caData)
    throw new Error(`EKS cluster ${eks.name}: DescribeCluster gave no endpoint or CA`);
  return { endpoint, caData };
}

async function defaultEksToken(eks: NonNullable<KubernetesCluster['eks']>): Promise<string> {
  const region = regionOf(eks);
  return eksToken({ clusterName: eks.name, region, credentials: credentialsFor(eks.roleArn, region) });
}

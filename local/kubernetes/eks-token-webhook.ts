import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyEksToken } from '../../lambdas/adapters/kubernetes/eks-token';

/**
 * A loopback TokenReview webhook that stands in for EKS's IAM authenticator, so that the conductor's EKS
 * token path runs against a real kube-apiserver offline: the API server (`--authentication-token-webhook-
 * config-file`) asks it about every bearer token it does not know itself; the webhook verifies the token as
 * STS would — re-signing the presigned GetCallerIdentity URL with the known secret key for each cluster name
 * it serves — and answers with the Kubernetes groups that cluster's access entry would give that identity.
 */
export interface EksTokenWebhook {
  readonly url: string;
  /** A kubeconfig file pointing the API server at this webhook. */
  readonly kubeconfig: string;
  /** Tokens it was asked about, and what it answered (for the tests). */
  readonly reviews: readonly { cluster: string | null; authenticated: boolean }[];
  stop(): Promise<void>;
}

export interface EksTokenWebhookOptions {
  /** Cluster name → Kubernetes groups its access entry maps the identity to. */
  readonly clusters: Readonly<Record<string, readonly string[]>>;
  /** The credentials tokens must be signed with (moto's fake ones locally). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The IAM ARN the identity is reported as. */
  readonly arn: string;
  /** Where to write the kubeconfig. */
  readonly kubeconfigPath: string;
}

export async function startEksTokenWebhook(options: EksTokenWebhookOptions): Promise<EksTokenWebhook> {
  const reviews: { cluster: string | null; authenticated: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      void (async () => {
        let token = '';
        try {
          token = (JSON.parse(body) as { spec?: { token?: string } }).spec?.token ?? '';
        } catch {
          // not a TokenReview: unauthenticated
        }
        let cluster: string | null = null;
        for (const name of Object.keys(options.clusters)) {
          if (await verifyEksToken(token, name, options.credentials).catch(() => false)) {
            cluster = name;
            break;
          }
        }
        reviews.push({ cluster, authenticated: cluster !== null });
        const status =
          cluster === null
            ? { authenticated: false, error: 'not a valid EKS token for a known cluster' }
            : {
                authenticated: true,
                user: {
                  username: options.arn,
                  uid: `aws-iam-authenticator:${options.credentials.accessKeyId}`,
                  groups: [...(options.clusters[cluster] ?? [])],
                  extra: { 'eks.amazonaws.com/cluster': [cluster] },
                },
              };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', status }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tokenreview`;
  writeFileSync(
    options.kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: eks-token-webhook',
      '  cluster:',
      `    server: ${url}`,
      'users:',
      '- name: kube-apiserver',
      '  user: {}',
      'contexts:',
      '- name: webhook',
      '  context:',
      '    cluster: eks-token-webhook',
      '    user: kube-apiserver',
      'current-context: webhook',
      '',
    ].join('\n'),
  );
  return {
    url,
    kubeconfig: options.kubeconfigPath,
    reviews,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * A bearer token for an EKS cluster's API server, as aws-iam-authenticator and `aws eks get-token` make it:
 * `k8s-aws-v1.` + base64url (no padding) of a presigned STS `GetCallerIdentity` URL whose signed headers
 * include `x-k8s-aws-id: <cluster name>`. EKS calls the URL to learn the caller's IAM identity and maps it
 * to Kubernetes users through access entries. The URL is signed for 60 s; EKS accepts the token for 15 min.
 */
export interface EksTokenOptions {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The STS host to sign for. Default: the regional endpoint `sts.<region>.amazonaws.com`. */
  readonly stsHost?: string;
  /** Signing time (tests). */
  readonly now?: Date;
}

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** How long EKS accepts a token; callers renew theirs before. */
export const EKS_TOKEN_LIFETIME_MS = 15 * 60_000;
const CLUSTER_HEADER = 'x-k8s-aws-id';

export async function eksToken(options: EksTokenOptions): Promise<string> {
  const signer = new SignatureV4({
    service: 'sts',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    applyChecksum: false,
  });
  const hostname = options.stsHost ?? `sts.${options.region}.amazonaws.com`;
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, [CLUSTER_HEADER]: options.clusterName },
  });
  const signed = await signer.presign(request, {
    expiresIn: 60,
    signingDate: options.now,
    unhoistableHeaders: new Set([CLUSTER_HEADER]),
  });
  const query = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v ?? '']]))
    .map(([k, v]) => `${encodeURIComponent(k as string)}=${encodeURIComponent(v as string)}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

/** What a token says, for checks (the loopback token webhook of the tests, error messages). */
export interface DecodedEksToken {
  readonly url: URL;
  readonly clusterName: string | undefined;
  readonly signedHeaders: readonly string[];
  readonly accessKeyId: string | undefined;
  readonly region: string | undefined;
  readonly signedAt: Date | undefined;
  readonly expiresInSeconds: number | undefined;
}

/**
 * Decodes (without verifying) a token made by {@link eksToken}. The cluster name is not in the URL: it
 * travels as a signed header, so a verifier must be told the cluster it expects and re-sign.
 */
export function decodeEksToken(token: string, clusterName?: string): DecodedEksToken {
  if (!token.startsWith(EKS_TOKEN_PREFIX))
    throw new Error(`not an EKS token (no ${EKS_TOKEN_PREFIX} prefix)`);
  const url = new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  const q = url.searchParams;
  const credential = q.get('X-Amz-Credential')?.split('/');
  const amzDate = q.get('X-Amz-Date');
  return {
    url,
    clusterName,
    signedHeaders: (q.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean),
    accessKeyId: credential?.[0],
    region: credential?.[2],
    signedAt: amzDate
      ? new Date(
          `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
        )
      : undefined,
    expiresInSeconds: q.has('X-Amz-Expires') ? Number(q.get('X-Amz-Expires')) : undefined,
  };
}

/**
 * Verifies a token offline the way STS would: re-signs the same request with the given secret and
 * compares signatures. For tests (moto's fixed fake credentials); EKS itself asks STS.
 */
export async function verifyEksToken(
  token: string,
  clusterName: string,
  credentials: AwsCredentialIdentity,
): Promise<boolean> {
  const decoded = decodeEksToken(token, clusterName);
  if (!decoded.region || !decoded.signedAt || decoded.accessKeyId !== credentials.accessKeyId) return false;
  if (!decoded.signedHeaders.includes(CLUSTER_HEADER)) return false;
  const again = await eksToken({
    clusterName,
    region: decoded.region,
    credentials,
    stsHost: decoded.url.hostname,
    now: decoded.signedAt,
  });
  const signature = (t: string) => decodeEksToken(t).url.searchParams.get('X-Amz-Signature');
  return signature(again) === signature(token) && signature(token) !== null;
}

import { describe, expect, it } from 'vitest';
import {
  decodeEksToken,
  eksToken,
  verifyEksToken,
} from '../../../../../lambdas/adapters/kubernetes/eks-token';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const now = new Date('2026-11-27T10:00:00Z');

describe('EKS IAM token', () => {
  it('is k8s-aws-v1. + base64url of a presigned STS GetCallerIdentity URL', async () => {
    const token = await eksToken({ clusterName: 'test-cluster', region: 'eu-central-1', credentials, now });
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/); // base64url without padding
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString());
    expect(url.origin).toBe('https://sts.eu-central-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'AKIDEXAMPLE/20261127/eu-central-1/sts/aws4_request',
    );
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261127T100000Z');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs the x-k8s-aws-id header, so a token for one cluster does not work for another', async () => {
    const token = await eksToken({ clusterName: 'test-cluster', region: 'eu-central-1', credentials, now });
    const decoded = decodeEksToken(token);
    expect(decoded.signedHeaders).toEqual(['host', 'x-k8s-aws-id']);
    expect(decoded.region).toBe('eu-central-1');
    expect(decoded.signedAt?.toISOString()).toBe(now.toISOString());
    expect(await verifyEksToken(token, 'test-cluster', credentials)).toBe(true);
    expect(await verifyEksToken(token, 'production-cluster', credentials)).toBe(false);
    expect(await verifyEksToken(token, 'test-cluster', { ...credentials, secretAccessKey: 'other' })).toBe(
      false,
    );
  });

  it('carries a session token for temporary credentials (an assumed role)', async () => {
    const token = await eksToken({
      clusterName: 'c',
      region: 'us-east-1',
      credentials: { ...credentials, sessionToken: 'SESSION' },
      now,
    });
    expect(decodeEksToken(token).url.searchParams.get('X-Amz-Security-Token')).toBe('SESSION');
  });

  it('is deterministic for the same inputs (a known-answer check against drift in the signer)', async () => {
    const a = await eksToken({ clusterName: 'c', region: 'us-east-1', credentials, now });
    const b = await eksToken({ clusterName: 'c', region: 'us-east-1', credentials, now });
    expect(a).toBe(b);
  });

  it('refuses what is not a token', () => {
    expect(() => decodeEksToken('Bearer xyz')).toThrow(/not an EKS token/);
  });
});

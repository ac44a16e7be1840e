import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Files of a throw-away PKI for local API servers. */
export interface LocalPki {
  readonly caCert: string;
  readonly caKey: string;
  /** Serving certificate for 127.0.0.1 / localhost, signed by the CA. */
  readonly servingCert: string;
  readonly servingKey: string;
  /** RSA key that signs and verifies service-account tokens. */
  readonly serviceAccountKey: string;
  /** Base64 of the CA certificate (PEM), as kubeconfigs and the conductor's config carry it. */
  readonly caData: string;
}

/** Creates a CA, a serving certificate (SAN IP:127.0.0.1, DNS:localhost) and a service-account key with openssl. */
export async function createPki(dir: string): Promise<LocalPki> {
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=ltc-local-ca',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=kube-apiserver',
    '-keyout',
    f('serving.key'),
    '-out',
    f('serving.csr'),
  );
  const ext = f('serving.ext');
  await run('sh', [
    '-c',
    `printf '%s\\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'extendedKeyUsage=serverAuth' 'keyUsage=critical,digitalSignature,keyEncipherment' > '${ext}'`,
  ]);
  await openssl(
    'x509',
    '-req',
    '-in',
    f('serving.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    f('serving.crt'),
    '-extfile',
    ext,
  );
  await openssl('genrsa', '-out', f('sa.key'), '2048');
  return {
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    servingCert: f('serving.crt'),
    servingKey: f('serving.key'),
    serviceAccountKey: f('sa.key'),
    caData: readFileSync(f('ca.crt')).toString('base64'),
  };
}

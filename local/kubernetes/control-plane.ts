import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiException,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1Role,
  type V1RoleBinding,
} from '@kubernetes/client-node';
import { Agent, request } from 'undici';
import { type KubeApis, makeApis } from '../../lambdas/adapters/kubernetes/connection';
import { CONDUCTOR_GROUP, PRODUCTION_READER_GROUP } from '../../lambdas/contracts';
import { type ManagedProcess, startProcess, waitUntil } from '../managed-process';
import { freePort, freePorts } from '../ports';
import { kwokStagesPath, requireTool } from '../tool-paths';
import { createPki, type LocalPki } from './pki';

/**
 * A real Kubernetes control plane on 127.0.0.1, from the binaries `scripts/build-go-tools.sh` builds:
 * one etcd 3.6 serving two kube-apiservers by prefix — "production" (`/production`) and "test" (`/test`) —
 * with RBAC on and static tokens; kube-controller-manager, kube-scheduler and kwok (simulated nodes and
 * kubelets: pods are scheduled and become Ready in about a second, or after the start-up time their
 * {@link POD_READY_DELAY_ANNOTATION} says) for the test API server, and optionally for production too.
 * Deployments really roll out, the HPA controller really enforces its bounds, Jobs run.
 *
 * Identities (tokens.csv of each API server):
 * - test: `admin` (system:masters; the controllers use it too) and `conductor` (group
 *   `load-test-conductor`: only what the conductor's Role grants, in the namespaces it is bound in);
 * - production: `admin` and `reader` (group `load-test-conductor-readers`: the read-only Role).
 */
export interface LocalApiServer {
  readonly name: 'production' | 'test';
  /** `https://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Base64 of the CA (PEM) that signed the serving certificate. */
  readonly caData: string;
  /** Bearer tokens by identity. */
  readonly tokens: Readonly<Record<string, string>>;
  /** A kubeconfig file for the admin identity (kubectl, the controllers). */
  readonly kubeconfig: string;
  /** Typed API clients as one of the identities. */
  as(identity: string): KubeApis & { rbac: RbacAuthorizationV1Api };
}

export interface LocalKubernetes {
  readonly production: LocalApiServer;
  readonly test: LocalApiServer;
  readonly workDir: string;
  /** Processes by name (etcd, apiserver-test, controller-manager-test, …), for their logs. */
  readonly processes: ReadonlyMap<string, ManagedProcess>;
  stop(): Promise<void>;
}

export interface LocalKubernetesOptions {
  readonly workDir?: string;
  /** Simulated nodes per cluster with controllers. Default 3 (each 256 cpu, 1 Ti memory, 1000 pods). */
  readonly nodes?: number;
  /** Also run controllers and kwok for production (its Deployments roll out too). Default false. */
  readonly productionControllers?: boolean;
  /** HPA controller sync period. Default 2 s (Kubernetes' default is 15 s). */
  readonly hpaSyncSeconds?: number;
  /** Extra lines for the test API server's tokens.csv: `token,user,uid,"group1,group2"`. */
  readonly extraTestTokens?: readonly string[];
  /** A TokenReview webhook (kubeconfig file) for the test API server: exercises EKS IAM tokens. */
  readonly testTokenWebhookKubeconfig?: string;
}

const READY_TIMEOUT_MS = 120_000;
/** The controllers' API client limits (client-go's defaults, 20/30 qps, throttle a 50-Deployment rollout). */
const FAST_CLIENT = ['--kube-api-qps=1000', '--kube-api-burst=2000'];

/** What the tests need of kube-controller-manager (the rest would only cost CPU on two cores). */
const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'horizontal-pod-autoscaler-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'garbage-collector-controller',
  'pod-garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  // Removes the not-ready taint the API server puts on new nodes once kwok reports them Ready.
  'node-lifecycle-controller',
];

/** Starts etcd, both API servers and the controllers, and waits until nodes are Ready. */
export async function startLocalKubernetes(options: LocalKubernetesOptions = {}): Promise<LocalKubernetes> {
  const bin = {
    etcd: requireTool('etcd'),
    apiserver: requireTool('kube-apiserver'),
    controllerManager: requireTool('kube-controller-manager'),
    scheduler: requireTool('kube-scheduler'),
    kwok: requireTool('kwok'),
  };
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'ltc-k8s-'));
  const processes = new Map<string, ManagedProcess>();
  const stop = async () => {
    // Controllers first, then the API servers, etcd last.
    const order = [...processes.values()].reverse();
    for (const p of order) await p.stop(3000);
  };
  try {
    const pki = await createPki(mkdirp(join(workDir, 'pki')));
    const [etcdPort, etcdPeerPort] = (await freePorts(2)) as [number, number];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = startProcess(
      'etcd',
      bin.etcd,
      [
        `--data-dir=${join(workDir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
        '--unsafe-no-fsync',
        '--quota-backend-bytes=4294967296',
        '--log-level=warn',
      ],
      { cwd: workDir },
    );
    processes.set('etcd', etcd);
    await waitUntil(
      'etcd',
      async () => {
        const res = await request(`${etcdUrl}/health`);
        const body = (await res.body.json()) as { health?: string };
        return body.health === 'true';
      },
      { timeoutMs: 30_000, intervalMs: 200, proc: etcd },
    );

    const [production, test] = await Promise.all(
      (['production', 'test'] as const).map((name) =>
        startApiServer(name, bin.apiserver, etcdUrl, pki, workDir, processes, options),
      ),
    );
    if (!production || !test) throw new Error('API servers did not start');

    const withControllers = options.productionControllers ? [test, production] : [test];
    for (const server of withControllers) {
      await startControllers(server, bin, pki, workDir, processes, options);
    }
    for (const server of withControllers) await createNodes(server, options.nodes ?? 3);
    for (const server of withControllers) await waitForNodes(server, options.nodes ?? 3, processes);
    return { production, test, workDir, processes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startApiServer(
  name: 'production' | 'test',
  binary: string,
  etcdUrl: string,
  pki: LocalPki,
  workDir: string,
  processes: Map<string, ManagedProcess>,
  options: LocalKubernetesOptions,
): Promise<LocalApiServer> {
  const dir = mkdirp(join(workDir, name));
  const token = () => randomBytes(24).toString('hex');
  const tokens: Record<string, string> =
    name === 'test' ? { admin: token(), conductor: token() } : { admin: token(), reader: token() };
  const lines = [
    `${tokens.admin},admin,uid-admin,"system:masters"`,
    name === 'test'
      ? `${tokens.conductor},load-test-conductor,uid-conductor,"${CONDUCTOR_GROUP}"`
      : `${tokens.reader},load-test-conductor-reader,uid-reader,"${PRODUCTION_READER_GROUP}"`,
    ...(name === 'test' ? (options.extraTestTokens ?? []) : []),
  ];
  writeFileSync(join(dir, 'tokens.csv'), `${lines.join('\n')}\n`, { mode: 0o600 });
  const port = await freePort();
  const endpoint = `https://127.0.0.1:${port}`;
  const webhook =
    name === 'test' && options.testTokenWebhookKubeconfig
      ? [
          `--authentication-token-webhook-config-file=${options.testTokenWebhookKubeconfig}`,
          '--authentication-token-webhook-version=v1',
          '--authentication-token-webhook-cache-ttl=10s',
        ]
      : [];
  const proc = startProcess(
    `apiserver-${name}`,
    binary,
    [
      `--etcd-servers=${etcdUrl}`,
      `--etcd-prefix=/${name}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--cert-dir=${dir}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--anonymous-auth=false',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--disable-admission-plugins=ServiceAccount',
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      '--profiling=false',
      '--watch-cache=true',
      ...webhook,
    ],
    { cwd: dir },
  );
  processes.set(`apiserver-${name}`, proc);
  const dispatcher = new Agent({ connect: { ca: Buffer.from(pki.caData, 'base64').toString() } });
  await waitUntil(
    `kube-apiserver (${name})`,
    async () => {
      const res = await request(`${endpoint}/readyz`, {
        headers: { authorization: `Bearer ${tokens.admin}` },
        dispatcher,
      });
      await res.body.text();
      return res.statusCode === 200;
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 300, proc },
  );
  await dispatcher.close();
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${name}`,
      '  cluster:',
      `    server: ${endpoint}`,
      `    certificate-authority-data: ${pki.caData}`,
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${tokens.admin}`,
      'contexts:',
      `- name: ${name}`,
      '  context:',
      `    cluster: ${name}`,
      '    user: admin',
      `current-context: ${name}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return {
    name,
    endpoint,
    caData: pki.caData,
    tokens,
    kubeconfig,
    as(identity) {
      const t = tokens[identity];
      if (!t)
        throw new Error(
          `${name} API server: no identity '${identity}' (has ${Object.keys(tokens).join(', ')})`,
        );
      const apis = makeApis(endpoint, pki.caData, t);
      return {
        target: `kubernetes:${endpoint}`,
        ...apis,
        // The conductor never needs an RBAC client; the tests' admin does.
        rbac: rbacClient(endpoint, pki.caData, t),
      };
    },
  };
}

async function startControllers(
  server: LocalApiServer,
  bin: { controllerManager: string; scheduler: string; kwok: string },
  pki: LocalPki,
  workDir: string,
  processes: Map<string, ManagedProcess>,
  options: LocalKubernetesOptions,
): Promise<void> {
  const dir = join(workDir, server.name);
  const [kcmPort, schedulerPort, kwokPort] = (await freePorts(3)) as [number, number, number];
  // More pods at once than kwok's default of 4 stage workers: a rollout of 50 Deployments is hundreds of pods.
  const kwokConfig = join(dir, 'kwok-options.yaml');
  writeFileSync(
    kwokConfig,
    [
      'apiVersion: config.kwok.x-k8s.io/v1alpha1',
      'kind: KwokConfiguration',
      'options:',
      // With a configuration file kwok applies no defaults: every parallelism must be set.
      '  podPlayStageParallelism: 16',
      '  nodePlayStageParallelism: 4',
      '  nodeLeaseParallelism: 4',
      '  podsOnNodeSyncParallelism: 2',
      '',
    ].join('\n'),
  );
  const common = [
    `--kubeconfig=${server.kubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
  ];
  const kcm = startProcess(
    `controller-manager-${server.name}`,
    bin.controllerManager,
    [
      ...common,
      `--secure-port=${kcmPort}`,
      `--cert-dir=${join(dir, 'kcm')}`,
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      '--use-service-account-credentials=false',
      `--horizontal-pod-autoscaler-sync-period=${options.hpaSyncSeconds ?? 2}s`,
      '--concurrent-deployment-syncs=10',
      '--concurrent-replicaset-syncs=10',
      `--controllers=${CONTROLLERS.join(',')}`,
      ...FAST_CLIENT,
    ],
    { cwd: dir },
  );
  processes.set(kcm.name, kcm);
  const scheduler = startProcess(
    `scheduler-${server.name}`,
    bin.scheduler,
    [...common, `--secure-port=${schedulerPort}`, ...FAST_CLIENT],
    { cwd: dir },
  );
  processes.set(scheduler.name, scheduler);
  const kwok = startProcess(
    `kwok-${server.name}`,
    bin.kwok,
    [
      `--kubeconfig=${server.kubeconfig}`,
      `--config=${stagesFile(dir)}`,
      `--config=${kwokConfig}`,
      '-v=WARN',
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--node-lease-duration-seconds=40',
      '--cidr=10.0.0.0/16',
      '--node-ip=10.0.0.1',
      `--server-address=127.0.0.1:${kwokPort}`,
    ],
    { cwd: dir },
  );
  processes.set(kwok.name, kwok);
  // Their own health endpoints (self-signed certificates): fails early, with the log, if one exits.
  const insecure = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    for (const [proc, port] of [
      [kcm, kcmPort],
      [scheduler, schedulerPort],
    ] as const) {
      await waitUntil(
        proc.name,
        async () => {
          const res = await request(`https://127.0.0.1:${port}/healthz`, { dispatcher: insecure });
          await res.body.text();
          return res.statusCode === 200;
        },
        { timeoutMs: READY_TIMEOUT_MS, intervalMs: 250, proc },
      );
    }
  } finally {
    await insecure.close();
  }
}

async function createNodes(server: LocalApiServer, count: number): Promise<void> {
  const core = server.as('admin').core;
  for (let i = 0; i < count; i++) {
    const name = `kwok-node-${i}`;
    await ignoreConflict(() =>
      core.createNode({
        body: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name,
            annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
            labels: {
              'kubernetes.io/arch': 'amd64',
              'kubernetes.io/hostname': name,
              'kubernetes.io/os': 'linux',
              'kubernetes.io/role': 'agent',
              'node-role.kubernetes.io/agent': '',
              type: 'kwok',
            },
          },
          status: {
            allocatable: { cpu: '256', memory: '1Ti', pods: '1000' },
            capacity: { cpu: '256', memory: '1Ti', pods: '1000' },
          },
        },
      }),
    );
  }
}

async function waitForNodes(
  server: LocalApiServer,
  count: number,
  processes: Map<string, ManagedProcess>,
): Promise<void> {
  const core = server.as('admin').core;
  await waitUntil(
    `kwok nodes Ready (${server.name})`,
    async () => {
      const nodes = await core.listNode();
      // Ready, and the API server's initial not-ready taint removed: pods schedule from now on.
      const ready = nodes.items.filter(
        (n) =>
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
          (n.spec?.taints ?? []).length === 0,
      );
      return ready.length >= count;
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 300, proc: processes.get(`kwok-${server.name}`) },
  );
}

/** Creates an object, or leaves the one already there (409). */
export async function ignoreConflict<T>(create: () => Promise<T>): Promise<T | undefined> {
  try {
    return await create();
  } catch (err) {
    if (err instanceof ApiException && err.code === 409) return undefined;
    throw err;
  }
}

/** Creates a namespace (if missing) as the admin. */
export async function createNamespace(server: LocalApiServer, namespace: string): Promise<void> {
  await ignoreConflict(() =>
    server.as('admin').core.createNamespace({ body: { metadata: { name: namespace } } }),
  );
}

/** Creates (or replaces) Roles and RoleBindings as the admin. */
export async function applyRbac(
  server: LocalApiServer,
  objects: readonly (V1Role | V1RoleBinding)[],
): Promise<void> {
  const { rbac } = server.as('admin');
  for (const o of objects) {
    const namespace = o.metadata?.namespace as string;
    const name = o.metadata?.name as string;
    if (o.kind === 'Role') {
      const body = o as V1Role;
      const created = await ignoreConflict(() => rbac.createNamespacedRole({ namespace, body }));
      if (!created) await rbac.replaceNamespacedRole({ name, namespace, body });
    } else if (o.kind === 'RoleBinding') {
      const body = o as V1RoleBinding;
      const created = await ignoreConflict(() => rbac.createNamespacedRoleBinding({ namespace, body }));
      if (!created) await rbac.replaceNamespacedRoleBinding({ name, namespace, body });
    } else {
      throw new Error(`applyRbac: unsupported kind ${o.kind}`);
    }
  }
}

/**
 * The pod template annotation that delays a pod's Ready (container start-up and readiness probe), as a Go
 * duration (`"12s"`, `"1500ms"`); without it, kwok makes pods Ready at once. Per pod, so that each
 * application of a fleet can start up at its own pace, as real ones do. kwok's own name for it.
 */
export const POD_READY_DELAY_ANNOTATION = 'pod-ready.stage.kwok.x-k8s.io/delay';

/** kwok's stages, the pod-ready stage delayed by {@link POD_READY_DELAY_ANNOTATION} (kwok's `durationFrom`). */
function stagesFile(dir: string): string {
  const documents = readFileSync(kwokStagesPath(), 'utf8').split(/^---$/m);
  const delay = [
    '  delay:',
    '    durationMilliseconds: 0',
    '    durationFrom:',
    '      jq:',
    `        expression: '.metadata.annotations["${POD_READY_DELAY_ANNOTATION}"]'`,
  ].join('\n');
  const podReady = documents.findIndex((d) => /^\s*name: pod-ready\s*$/m.test(d));
  if (podReady < 0) throw new Error(`kwok stages ${kwokStagesPath()}: no pod-ready stage`);
  documents[podReady] = documents[podReady]?.replace(/^ {2}next:/m, `${delay}\n  next:`) ?? '';
  const out = join(dir, 'kwok-stages.yaml');
  writeFileSync(out, documents.join('---'));
  return out;
}

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

function rbacClient(server: string, caData: string, token: string): RbacAuthorizationV1Api {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, caData, skipTLSVerify: false }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc.makeApiClient(RbacAuthorizationV1Api);
}

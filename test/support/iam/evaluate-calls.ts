import { runSimulation } from '@cloud-copilot/iam-simulate';
import { LAMBDA_SERVICE_ACTIONS, UNEXERCISED_GRANTS } from '../../../cdk/lib/grant-reasons';
import type { RecordedCall } from './aws-call-recorder';
import type { IamRequest } from './iam-requests';
import type { ResolvedStatement, RolePolicies } from './template-policies';

/** A recorded request the role's policies do not allow. */
export interface Denial {
  readonly step: string;
  readonly action: string;
  readonly resource: string;
  readonly context: IamRequest['context'];
  readonly result: string;
}

/** One role's requests (deduplicated) and which of them each statement allows. */
export interface RoleJudgement {
  readonly denials: readonly Denial[];
  readonly requests: readonly (IamRequest & { readonly step: string })[];
  /** For each statement (by origin), the requests it allows on its own. */
  readonly allows: ReadonlyMap<string, readonly IamRequest[]>;
  /** For each statement, the requests the role denies once that statement is removed. */
  readonly deniedWithout: ReadonlyMap<string, readonly IamRequest[]>;
}

/** `Allowed`, `ImplicitlyDenied`, `ExplicitlyDenied`, or the simulator's validation error. */
export async function decide(
  request: IamRequest,
  roleArn: string,
  statements: readonly ResolvedStatement[],
): Promise<string> {
  const account = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(request.resource)?.[1] ?? roleArn.split(':')[4];
  const response = await runSimulation(
    {
      request: {
        principal: roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: String(account) },
        contextVariables: request.context as Record<string, string | string[]>,
      },
      identityPolicies: [
        {
          name: 'role',
          policy: {
            Version: '2012-10-17',
            Statement: statements.map(({ origin: _, ...s }) => s),
          },
        },
      ],
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === 'error') return `invalid request: ${JSON.stringify(response.errors)}`;
  return response.overallResult;
}

/**
 * Judges the calls of the steps a role serves against that role's statements: each request allowed or a
 * denial naming step, action and resource; and, per statement, which requests it allows alone (a
 * statement allowing none of them is granted but never called).
 */
export async function judgeRole(role: RolePolicies, calls: readonly RecordedCall[]): Promise<RoleJudgement> {
  const unique = new Map<string, IamRequest & { step: string }>();
  for (const c of calls)
    for (const r of c.requests)
      unique.set(JSON.stringify([r.action, r.resource, r.context]), { ...r, step: c.step });
  const requests = [...unique.values()];
  const denials: Denial[] = [];
  for (const r of requests) {
    const result = await decide(r, role.roleArn, role.statements);
    if (result !== 'Allowed') denials.push({ ...r, result });
  }
  const allows = new Map<string, IamRequest[]>();
  const deniedWithout = new Map<string, IamRequest[]>();
  for (const s of role.statements) {
    const allowed: IamRequest[] = [];
    for (const r of requests) if ((await decide(r, role.roleArn, [s])) === 'Allowed') allowed.push(r);
    allows.set(s.origin, allowed);
    const rest = role.statements.filter((other) => other !== s);
    const denied: IamRequest[] = [];
    for (const r of allowed) if ((await decide(r, role.roleArn, rest)) !== 'Allowed') denied.push(r);
    deniedWithout.set(s.origin, denied);
  }
  return { denials, requests, allows, deniedWithout };
}

/**
 * What removing each statement does: `needed` when the role then denies some recorded request, `redundant`
 * when every request it allows stays allowed by the others, `unused` when it allows none of them.
 */
function statementRoles(judgement: RoleJudgement): Map<string, 'needed' | 'redundant' | 'unused'> {
  return new Map(
    [...judgement.allows].map(([origin, allowed]) => [
      origin,
      allowed.length === 0
        ? 'unused'
        : (judgement.deniedWithout.get(origin) ?? []).length > 0
          ? 'needed'
          : 'redundant',
    ]),
  );
}

/** A denial as a test failure message. */
export function describeDenial(d: Denial): string {
  const context = Object.keys(d.context).length ? ` with ${JSON.stringify(d.context)}` : '';
  return `${d.step}: ${d.action} on ${d.resource}${context} is ${d.result}`;
}

/**
 * The role's statements that no recorded call needs (removing them denies nothing) and that carry no reason:
 * neither a Sid of cdk/lib/grant-reasons.ts nor only actions the Lambda service uses for the function.
 */
export function unexplainedGrants(name: string, role: RolePolicies, judgement: RoleJudgement): string[] {
  const statements = statementRoles(judgement);
  return role.statements.flatMap((s) => {
    const found = statements.get(s.origin);
    if (found === 'needed') return [];
    if (s.Sid && s.Sid in UNEXERCISED_GRANTS) return [];
    if ([s.Action].flat().every((a) => a in LAMBDA_SERVICE_ACTIONS)) return [];
    const what =
      found === 'unused' ? 'granted but never called' : 'redundant (another statement allows the same calls)';
    return [`${name}: ${JSON.stringify([s.Action, s.Resource])} is ${what}`];
  });
}

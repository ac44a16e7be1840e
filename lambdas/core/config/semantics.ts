import type { FieldProblem } from '../errors';
import { validateRunInput } from '../run-input';
import {
  clusterProblems,
  ecsClusterTarget,
  kubernetesClusterTarget,
  nodeGroupTarget,
  platformProblems,
  platformTarget,
  productionTargets,
} from './platforms';
import { scheduleProblems } from './schedules';
import type { ConductorConfig } from './types';

export function checkSemantics(config: ConductorConfig): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const production = productionTargets(config);
  for (const [name, env] of Object.entries(config.environments)) {
    const at = `environments.${name}`;
    if (env.production && env.loadTestTarget) {
      problems.push({
        field: `${at}.loadTestTarget`,
        rule: 'a production environment can never be a load-test target (set loadTestTarget: false)',
      });
    }
    if (!env.scenarios.includes(env.defaultScenario)) {
      problems.push({
        field: `${at}.defaultScenario`,
        rule: `must be one of scenarios (${env.scenarios.join(', ')})`,
      });
    }
    for (const scenario of Object.keys(env.userClasses)) {
      if (!env.scenarios.includes(scenario)) {
        problems.push({
          field: `${at}.userClasses.${scenario}`,
          rule: `is not one of scenarios (${env.scenarios.join(', ')})`,
        });
      }
    }
    if (env.loadTestTarget && env.applications.length === 0) {
      problems.push({
        field: `${at}.applications`,
        rule: 'a load-test target needs at least one application',
      });
    }
    env.applications.forEach((app, i) => {
      if (env.applications.findIndex((a) => a.name === app.name) !== i) {
        problems.push({ field: `${at}.applications[${i}].name`, rule: `'${app.name}' is listed twice` });
      }
      if (platformTarget(app.test) === platformTarget(app.production)) {
        problems.push({
          field: `${at}.applications[${i}].test`,
          rule: 'must differ from production: the conductor writes to the test platform',
        });
      } else if (env.loadTestTarget && production.has(platformTarget(app.test))) {
        problems.push({
          field: `${at}.applications[${i}].test`,
          rule: `${platformTarget(app.test)} is a production platform elsewhere in the configuration: the conductor never writes to it`,
        });
      }
      problems.push(...platformProblems(app.test, `${at}.applications[${i}].test`));
      problems.push(...platformProblems(app.production, `${at}.applications[${i}].production`));
    });
    const workers = env.locust.workers;
    if (workers?.type === 'kubernetes') {
      problems.push(...clusterProblems(workers.cluster, `${at}.locust.workers.cluster`));
    }
    if (workers && workers.minWorkers > workers.maxWorkers) {
      problems.push({ field: `${at}.locust.workers`, rule: 'needs minWorkers ≤ maxWorkers' });
    }
    env.nodeGroups.forEach((g, i) => {
      const ngAt = `${at}.nodeGroups[${i}]`;
      if (env.nodeGroups.findIndex((o) => o.name === g.name) !== i) {
        problems.push({ field: `${ngAt}.name`, rule: `'${g.name}' is listed twice` });
      }
      if (!g.production === !g.size) {
        problems.push({
          field: ngAt,
          rule: 'needs exactly one of production (a node group to copy) or size',
        });
      }
      if (env.loadTestTarget && production.has(nodeGroupTarget(g.test))) {
        problems.push({
          field: `${ngAt}.test`,
          rule: `${nodeGroupTarget(g.test)} is a production cluster: the conductor never writes to it`,
        });
      }
      if (g.size && !(g.size.minSize <= g.size.desiredSize && g.size.desiredSize <= g.size.maxSize)) {
        problems.push({ field: `${ngAt}.size`, rule: 'needs minSize ≤ desiredSize ≤ maxSize' });
      }
    });
    env.cleanup.forEach((c, i) => {
      const cAt = `${at}.cleanup[${i}]`;
      if (c.type === 'sql' && !c.database.secretArn === !c.database.urlEnv) {
        problems.push({ field: `${cAt}.database`, rule: 'needs exactly one of secretArn or urlEnv' });
      }
      if (c.type === 'kubernetes-job') {
        if (!c.fromCronJob === !c.jobSpec) {
          problems.push({ field: cAt, rule: 'needs exactly one of fromCronJob or jobSpec' });
        }
        problems.push(...clusterProblems(c.cluster, `${cAt}.cluster`));
        if (production.has(kubernetesClusterTarget(c.cluster))) {
          problems.push({
            field: `${cAt}.cluster`,
            rule: 'is a production cluster: the conductor never writes to it',
          });
        }
      }
      if (c.type === 'ecs-task') {
        if (production.has(ecsClusterTarget(c.cluster, c.region))) {
          problems.push({
            field: `${cAt}.cluster`,
            rule: 'is a production cluster: the conductor never writes to it',
          });
        }
        if (c.launchType === 'FARGATE' && !c.networkConfiguration) {
          problems.push({
            field: `${cAt}.networkConfiguration`,
            rule: 'is required with launchType FARGATE',
          });
        }
      }
    });
  }
  config.schedules.forEach((schedule, i) => {
    const at = `schedules[${i}]`;
    if (config.schedules.findIndex((s) => s.name === schedule.name) !== i) {
      problems.push({ field: `${at}.name`, rule: `'${schedule.name}' is used twice` });
    }
    problems.push(...scheduleProblems(schedule, at));
    const result = validateRunInput(schedule.input, config);
    if (!result.ok) {
      for (const p of result.problems) problems.push({ field: `${at}.input.${p.field}`, rule: p.rule });
    }
  });
  return problems;
}

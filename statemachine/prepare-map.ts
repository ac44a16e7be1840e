import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { lambdaTask } from './lambda-task';
import { MAP_ITEM_TASKS, STEPS } from './steps';

/**
 * The prepare phase as Maps over the applications in scope — one Lambda invocation per application, with
 * its own timeout and retries, at most `$.run.environment.prepareConcurrency` at once (`MaxConcurrencyPath`):
 *
 *   Deploy production versions? ─ no → Keep deployed versions ─┐
 *                               └ yes → Deploy production versions (Map: Deploy application) ─┤
 *   Scale node groups → Scale to production size (Map: Scale application) → load
 *
 * The Maps carry the steps' console names; the results land at `$.deploy = {skipped, changes}` and
 * `$.scale = {changes, nodeGroups}`. JSONPath only (the local interpreter ignores JSONata). Each item's
 * Lambda gets `{ state, application }`; the node groups' `{ state, nodeGroups: true }` (see
 * lambdas/handlers/deploy.ts and scale.ts).
 */
export interface PrepareMapFunctions {
  readonly deploy: IFunction;
  readonly scale: IFunction;
}

export const PREPARE_MAP_STATES = {
  deployChoice: 'Deploy production versions?',
  keepVersions: 'Keep deployed versions',
} as const;

export function preparePhase(
  scope: Construct,
  fns: PrepareMapFunctions,
  onFailure: sfn.IChainable,
  load: sfn.IChainable,
): sfn.IChainable {
  const items = {
    itemsPath: '$.run.request.applications',
    maxConcurrencyPath: '$.run.environment.prepareConcurrency',
    itemSelector: { 'state.$': '$', 'application.$': '$$.Map.Item.Value' },
  };
  const deployMap = new sfn.Map(scope, STEPS.deploy, {
    ...items,
    comment: "Rolls production's versions out to each application in scope and waits for the rollouts.",
    resultSelector: { 'changes.$': '$', skipped: false },
    resultPath: '$.deploy',
  });
  deployMap.itemProcessor(lambdaTask(scope, MAP_ITEM_TASKS.deployApplication, fns.deploy));
  deployMap.addCatch(onFailure, { resultPath: '$.failure' });

  const keep = new sfn.Pass(scope, PREPARE_MAP_STATES.keepVersions, {
    comment: 'The run tests what is deployed (a feature branch): versions stay.',
    result: sfn.Result.fromObject({ skipped: true, changes: [] }),
    resultPath: '$.deploy',
  });

  const nodeGroups = lambdaTask(
    scope,
    MAP_ITEM_TASKS.scaleNodeGroups,
    fns.scale,
    sfn.TaskInput.fromObject({ state: sfn.JsonPath.entirePayload, nodeGroups: true }),
    '$.scale',
  );
  nodeGroups.addCatch(onFailure, { resultPath: '$.failure' });

  const scaleMap = new sfn.Map(scope, STEPS.scale, {
    ...items,
    comment: "Scales each application in scope to production's size and waits until it is ready.",
    resultPath: '$.scale.changes',
  });
  scaleMap.itemProcessor(lambdaTask(scope, MAP_ITEM_TASKS.scaleApplication, fns.scale));
  scaleMap.addCatch(onFailure, { resultPath: '$.failure' });

  const scale = nodeGroups.next(scaleMap).next(load);
  deployMap.next(scale);
  keep.next(nodeGroups);
  return new sfn.Choice(scope, PREPARE_MAP_STATES.deployChoice)
    .when(sfn.Condition.booleanEquals('$.run.request.deployProductionVersions', false), keep)
    .otherwise(deployMap);
}

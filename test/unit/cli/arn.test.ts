import { describe, expect, it } from 'vitest';
import { executionConsoleUrl, parseArn, requireStatesArn, resolveRegion } from '../../../cli/arn';
import { UsageError } from '../../../cli/errors';
import { EXEC_ARN, SM_ARN } from '../../support/cli-fakes';

describe('executionConsoleUrl', () => {
  it('points at the execution in the region of its ARN', () => {
    expect(executionConsoleUrl(EXEC_ARN)).toBe(
      'https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/' +
        'arn:aws:states:eu-central-1:111122223333:execution:load-test:run-1',
    );
  });

  it('uses the given region when the text is not an ARN', () => {
    expect(executionConsoleUrl('run-1', 'us-west-2')).toBe(
      'https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/run-1',
    );
  });
});

describe('parseArn', () => {
  it('splits an execution ARN', () => {
    expect(parseArn(EXEC_ARN)).toEqual({
      partition: 'aws',
      service: 'states',
      region: 'eu-central-1',
      account: '111122223333',
      resourceType: 'execution',
      resource: 'load-test:run-1',
    });
  });

  it.each([
    '',
    'load-test',
    'arn:aws:states:eu-central-1:1',
    'arn:aws:states::1:execution:a:b',
    'urn:aws:states:r:1:execution:a:b',
  ])('rejects %j', (text) => expect(parseArn(text)).toBeUndefined());
});

describe('requireStatesArn', () => {
  it('accepts a state machine ARN', () => {
    expect(requireStatesArn(SM_ARN, 'stateMachine', '--state-machine-arn').region).toBe('eu-central-1');
  });

  it.each([
    [EXEC_ARN, 'stateMachine'],
    [SM_ARN, 'execution'],
    ['arn:aws:lambda:eu-central-1:1:function:x', 'execution'],
    ['run-1', 'execution'],
  ] as const)('rejects %s as a %s ARN, naming the source', (text, kind) => {
    expect(() => requireStatesArn(text, kind, '--state-machine-arn')).toThrow(UsageError);
    expect(() => requireStatesArn(text, kind, '--state-machine-arn')).toThrow(/^--state-machine-arn: /);
  });
});

describe('resolveRegion', () => {
  const arn = parseArn(EXEC_ARN);
  it('prefers --region', () =>
    expect(resolveRegion('us-east-1', arn, { AWS_REGION: 'eu-west-1' })).toBe('us-east-1'));
  it("then the ARN's region, where the resource lives", () =>
    expect(resolveRegion(undefined, arn, { AWS_REGION: 'eu-west-1' })).toBe('eu-central-1'));
  it('then AWS_REGION', () =>
    expect(resolveRegion(undefined, undefined, { AWS_REGION: 'eu-west-1' })).toBe('eu-west-1'));
  it('then AWS_DEFAULT_REGION', () =>
    expect(resolveRegion(undefined, undefined, { AWS_DEFAULT_REGION: 'ap-south-1' })).toBe('ap-south-1'));
  it('else fails naming --region', () =>
    expect(() => resolveRegion(undefined, undefined, {})).toThrow(/--region/));
});

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { withTransientAws } from './transient';

/**
 * Reads a Secrets Manager secret's string at run time, in the step that needs it (its role may read that
 * secret's ARN only): a secret never travels in the execution's input, state or output, where the console
 * and the history would show it. `what` names the secret's use in errors; the value is never in a message.
 */
export async function readSecretString(
  secretArn: string,
  what: string,
  client: SecretsManagerClient = new SecretsManagerClient({ region: secretArn.split(':')[3] }),
): Promise<string> {
  let text: string | undefined;
  try {
    text = (
      await withTransientAws(`${what}: read secret ${secretArn}`, () =>
        client.send(new GetSecretValueCommand({ SecretId: secretArn })),
      )
    ).SecretString;
  } catch (err) {
    if ((err as Error).name === 'TransientError') throw err;
    throw new Error(`${what}: cannot read the secret ${secretArn}: ${(err as Error).message}`);
  }
  if (!text) throw new Error(`${what}: the secret ${secretArn} has no string value`);
  return text;
}

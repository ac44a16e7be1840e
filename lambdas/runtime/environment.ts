/** A variable of the Lambda's environment, or an error naming it. */
export function requireEnv(name: string): string {
  return process.env[name] || missingEnv(name);
}

export function missingEnv(name: string): never {
  throw new Error(`environment variable ${name} is not set`);
}

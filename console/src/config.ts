/** What the page needs to know about its deployment, served beside it as `/console/config.json`. */
export interface ConsoleConfig {
  /** The token issuer (Cognito's; the ID token's `iss`). */
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  logoutEndpoint: string;
  /** The user pool's password policy, shown and checked as a new person types. */
  passwordPolicy: {
    minLength: number;
    requireLowercase: boolean;
    requireUppercase: boolean;
    requireDigits: boolean;
    requireSymbols: boolean;
  };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch('/console/config.json');
  if (!res.ok) throw new Error(`The console's settings could not be loaded (${res.status}).`);
  return (await res.json()) as ConsoleConfig;
}

// Where this deployment's API and sign-in are: /config.json, written at deploy time (CDK) or by the
// local stack, so one build serves every stage.

export interface Config {
  apiUrl: string;
  cognitoEndpoint: string;
  clientId: string;
  region: string;
  defaultStart?: string;
  defaultEnd?: string;
}

export let config: Config;

export async function loadConfig(): Promise<Config> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`This dashboard is not configured (config.json: ${response.status}).`);
  config = await response.json();
  config.apiUrl = config.apiUrl.replace(/\/$/, "");
  return config;
}

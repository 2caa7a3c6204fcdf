// Cognito sign-in: the password, then whatever Cognito asks next (a new password for an invited
// user, an authenticator code, setting the authenticator up). The ID token lives in this module's
// memory only: no other script can read it from web storage and it is gone when the tab closes.

import { config } from "./config";

export interface Claims {
  "cognito:username": string;
  "custom:tenant_id": string;
  "cognito:groups"?: string[];
  exp: number;
}

export interface Challenge {
  name: "NEW_PASSWORD_REQUIRED" | "SOFTWARE_TOKEN_MFA" | "MFA_SETUP";
  session: string;
  username: string;
  prompt: string;
  label: string;
  inputType: "password" | "text";
}

let token: string | null = null;
const listeners: (() => void)[] = [];

export const idToken = () => token;
export const onSessionChange = (listener: () => void) => listeners.push(listener);

export function claims(): Claims | null {
  if (!token) return null;
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
}

export const signedIn = () => { const c = claims(); return c !== null && c.exp * 1000 > Date.now(); };
export const groups = (): string[] => claims()?.["cognito:groups"] ?? [];

export function signOut(): void {
  token = null;
  listeners.forEach((l) => l());
}

async function cognito(action: string, request: object): Promise<any> {
  const response = await fetch(config.cognitoEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}` },
    body: JSON.stringify(request),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || "Sign-in failed.");
  return body;
}

/** Sign in; resolves to null when signed in, or the next challenge to answer. */
export async function signIn(username: string, password: string): Promise<Challenge | null> {
  return next(username, await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH", ClientId: config.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));
}

export async function answer(challenge: Challenge, value: string): Promise<Challenge | null> {
  const { name, session, username } = challenge;
  if (name === "MFA_SETUP") {
    const verified = await cognito("VerifySoftwareToken", { Session: session, UserCode: value, FriendlyDeviceName: "SmartRetail" });
    return next(username, await cognito("RespondToAuthChallenge", {
      ClientId: config.clientId, ChallengeName: "MFA_SETUP", Session: verified.Session, ChallengeResponses: { USERNAME: username } }));
  }
  const responses = name === "NEW_PASSWORD_REQUIRED" ? { USERNAME: username, NEW_PASSWORD: value } : { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: value };
  return next(username, await cognito("RespondToAuthChallenge", { ClientId: config.clientId, ChallengeName: name, Session: session, ChallengeResponses: responses }));
}

async function next(username: string, reply: any): Promise<Challenge | null> {
  if (reply.AuthenticationResult) {
    token = reply.AuthenticationResult.IdToken;
    listeners.forEach((l) => l());
    return null;
  }
  const ask = (name: Challenge["name"], session: string, prompt: string, label: string, inputType: Challenge["inputType"]): Challenge =>
    ({ name, session, username, prompt, label, inputType });
  switch (reply.ChallengeName) {
    case "NEW_PASSWORD_REQUIRED":
      return ask("NEW_PASSWORD_REQUIRED", reply.Session, "Choose your own password (12 characters or more, with upper and lower case, a digit and a symbol).", "New password", "password");
    case "SOFTWARE_TOKEN_MFA":
      return ask("SOFTWARE_TOKEN_MFA", reply.Session, "Enter the 6-digit code your authenticator app shows.", "Code", "text");
    case "MFA_SETUP": {
      const setup = await cognito("AssociateSoftwareToken", { Session: reply.Session });
      return ask("MFA_SETUP", setup.Session, `Add SmartRetail to your authenticator app with this key: ${setup.SecretCode} — then enter the code it shows.`, "Code", "text");
    }
    default:
      throw new Error(`Sign-in needs a step this page does not support (${reply.ChallengeName}).`);
  }
}

// Every WebAuthn step of the console, through the official browser client (never
// navigator.credentials directly), configured from /console/config.json.
import { Client, type Result, type TokenResponse } from '@passwordlessdev/passwordless-client';
import { api, ApiError } from './api';

let client: Promise<Client> | null = null;

function passwordless(): Promise<Client> {
  client ??= api.config().then(({ apiUrl, apiKey }) => new Client({ apiUrl, apiKey }));
  // A failed config load is not remembered: the next attempt asks again.
  client.catch(() => (client = null));
  return client;
}

/** The verify token of a ceremony, or an ApiError with the client's problem title. */
export function tokenOf(result: Result<TokenResponse>): string {
  if (result.error) {
    const { title, detail, status, errorCode, from } = result.error;
    const source = from === 'client' ? 'client' : 'server';
    throw new ApiError(title || detail || 'The passkey step failed.', status ?? 0, errorCode, [], source);
  }
  return result.token;
}

/** Registers a passkey on this device with a register token; gives the verify token. */
export async function registerPasskey(registerToken: string): Promise<string> {
  try {
    return tokenOf(await (await passwordless()).register(registerToken, 'console'));
  } catch (error) {
    // The browser refuses a second passkey for the same admin on one authenticator
    // (InvalidStateError); its own wording does not say what to do.
    if (error instanceof ApiError && error.from === 'client' && /already registered/i.test(error.title)) {
      throw new ApiError('This device already has a passkey for this admin: sign in with it instead.', 0, error.errorCode, [], 'client');
    }
    throw error;
  }
}

/** Signs in with a passkey of the admin with this email. */
export async function signInWithEmail(email: string): Promise<string> {
  return tokenOf(await (await passwordless()).signinWithAlias(email));
}

/** Signs in with any console passkey on this device (the browser asks which). */
export async function signInWithDiscoverable(): Promise<string> {
  return tokenOf(await (await passwordless()).signinWithDiscoverable());
}

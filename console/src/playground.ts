// The Playground's link to one app: the official browser client with the app's public key,
// and the two calls the app's backend makes (register token, verify) with a secret key the
// admin supplies. The secret is held by the caller in memory only; nothing here stores it.
import { Client } from '@passwordlessdev/passwordless-client';
import { send } from './api';
import type { VerifiedToken } from './types';

export interface AppLink {
  /** The ceremonies, as the app's web page runs them. */
  client: Client;
  /** `POST /register/token` as the app's backend: a register token for this user. */
  registerToken(secret: string, userId: string, username: string): Promise<string>;
  /** `POST /signin/verify` as the app's backend: what the verify token proves. */
  verify(secret: string, token: string): Promise<VerifiedToken>;
}

export function appLink(apiUrl: string, apiKey: string): AppLink {
  const backend = <T>(path: string, secret: string, body: unknown) =>
    send<T>('POST', `${apiUrl.replace(/\/$/, '')}${path}`, body, { ApiSecret: secret });
  return {
    client: new Client({ apiUrl, apiKey }),
    registerToken: async (secret, userId, username) => {
      // The username doubles as the user's alias (not hashed, so Users shows it), for sign-in by alias.
      const body = { userId, username, aliases: [username], aliasHashing: false };
      return (await backend<{ token: string }>('/register/token', secret, body)).token;
    },
    verify: (secret, token) => backend<VerifiedToken>('/signin/verify', secret, { token }),
  };
}

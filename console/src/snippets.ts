// Copy-ready code for an app: the browser client, and the Python and Node backend SDKs, with
// the app's API URL and keys filled in.

export interface SnippetValues {
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
}

const quote = (value: string) => JSON.stringify(value);

export function browserSnippet({ apiUrl, apiKey }: SnippetValues): string {
  return `// npm install @passwordlessdev/passwordless-client
import { Client } from '@passwordlessdev/passwordless-client';

const client = new Client({ apiUrl: ${quote(apiUrl)}, apiKey: ${quote(apiKey)} });

// Register: your backend creates registerToken (below); the browser makes the passkey.
const registered = await client.register(registerToken, 'My laptop');

// Sign in by alias, or with a discoverable passkey the browser offers.
const { token, error } = await client.signinWithAlias('alice@example.com');
// const { token, error } = await client.signinWithDiscoverable();

// Send token (verify_…) to your backend, which verifies it with the secret key.`;
}

export function pythonSnippet({ apiUrl, apiSecret }: SnippetValues): string {
  return `# pip install passwordless
from passwordless import PasswordlessClientBuilder, PasswordlessOptions, RegisterToken, VerifySignIn

client = PasswordlessClientBuilder(PasswordlessOptions(${quote(apiSecret)}, ${quote(apiUrl)})).build()

# Register: a token for the browser's client.register(...)
registered = client.register_token(RegisterToken(user_id="alice", username="alice@example.com", aliases=["alice@example.com"]))
print(registered.token)

# Sign in: verify the token the browser's sign-in gave you
user = client.sign_in(VerifySignIn(token=verify_token))
print(user.success, user.user_id)`;
}

export function nodeSnippet({ apiUrl, apiSecret }: SnippetValues): string {
  return `// npm install @passwordlessdev/passwordless-nodejs
import { PasswordlessClient, RegisterOptions } from '@passwordlessdev/passwordless-nodejs';

const client = new PasswordlessClient(${quote(apiSecret)}, { baseUrl: ${quote(apiUrl)} });

// Register: a token for the browser's client.register(...)
const options = new RegisterOptions();
options.userId = 'alice';
options.username = 'alice@example.com';
options.aliases = ['alice@example.com'];
const { token } = await client.createRegisterToken(options);

// Sign in: verify the token the browser's sign-in gave you
const user = await client.verifyToken(verifyToken);
if (user?.success) console.log('signed in:', user.userId);`;
}

/** The keys as a .env file. */
export function envFile(appId: string, apiUrl: string, keys: { name: string; value: string }[]): string {
  const lines = [
    `# Ferrokey keys of the app "${appId}", downloaded ${new Date().toISOString()}.`,
    '# Keep this file secret: the secret keys act as your backend.',
    `FERROKEY_API_URL=${apiUrl}`,
    ...keys.map((k) => `${k.name}=${k.value}`),
  ];
  return lines.join('\n') + '\n';
}

/** The stored sessions: one per API URL, in a JSON file only its owner can read (0600). */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CognitoTarget } from './config.js';

/** Where a browser sign-in's tokens come from and are refreshed at. */
export interface OAuthEndpoints {
  issuer: string;
  tokenEndpoint: string;
}

/** A signed-in session against one API. */
export interface StoredSession {
  email: string;
  accessToken: string;
  refreshToken: string;
  /** ISO time the access token expires. */
  expiresAt: string;
  /** The Cognito client that issued the tokens, so refresh works without the stack file. */
  cognito: CognitoTarget;
  /** Set by a browser sign-in: refresh goes through this token endpoint (else Cognito's API). */
  oauth?: OAuthEndpoints;
}

interface CredentialsFile {
  version: 1;
  sessions: Record<string, StoredSession>;
}

/** Path of the credentials file inside a config directory. */
export function credentialsPath(dir: string): string {
  return join(dir, 'credentials.json');
}

function readFile(dir: string): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(credentialsPath(dir), 'utf8');
  } catch {
    return { version: 1, sessions: {} };
  }
  try {
    const parsed = JSON.parse(text) as Partial<CredentialsFile>;
    return { version: 1, sessions: parsed.sessions ?? {} };
  } catch {
    // A corrupt file holds nothing usable; the next login rewrites it.
    return { version: 1, sessions: {} };
  }
}

function writeFile(dir: string, file: CredentialsFile): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(dir);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  // The umask may have narrowed or an old file widened the mode: set it explicitly.
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** The session stored for an API URL, if any. */
export function loadSession(dir: string, apiUrl: string): StoredSession | undefined {
  return readFile(dir).sessions[apiUrl];
}

/** Stores (or replaces) the session for an API URL. */
export function saveSession(dir: string, apiUrl: string, session: StoredSession): void {
  const file = readFile(dir);
  file.sessions[apiUrl] = session;
  writeFile(dir, file);
}

/** Forgets the session for an API URL; returns whether there was one. */
export function forgetSession(dir: string, apiUrl: string): boolean {
  const file = readFile(dir);
  if (!file.sessions[apiUrl]) return false;
  delete file.sessions[apiUrl];
  writeFile(dir, file);
  return true;
}

// The shapes of the admin API's JSON replies, as the console reads them.

export interface Admin {
  id: string;
  email: string;
  org: string;
}

export interface SignedIn {
  session: string;
  expiresAt: string;
  admin: Admin;
}

export interface ConsoleConfig {
  apiUrl: string;
  apiKey: string;
}

export interface ListedApp {
  appId: string;
  createdAt: string;
  deleteAt: string | null;
  usersWithPasskeys: number;
}

export interface CreatedKeys {
  message: string;
  apiKey1: string;
  apiKey2: string;
  apiSecret1: string;
  apiSecret2: string;
}

/** 1 = public key, 2 = secret key. */
export type KeyType = 1 | 2;

export interface ListedKey {
  id: string;
  createdAt: string;
  /** Public keys in full; secrets masked. */
  apiKey: string;
  type: KeyType;
  scopes: string[];
  isLocked: boolean;
  lastLockedAt: string | null;
  viewableUntil: string | null;
}

export interface UserSummary {
  userId: string;
  /** `null` for an alias stored hashed. */
  aliases: (string | null)[];
  aliasCount: number;
  credentialsCount: number;
  lastUsedAt: string | null;
}

export interface UsersPage {
  users: UserSummary[];
  nextCursor: string | null;
}

export interface Credential {
  descriptor: { type: string; id: string; transports: string[] | null };
  publicKey: string;
  userHandle: string;
  signatureCounter: number;
  attestationFmt: string;
  createdAt: string;
  aaGuid: string | null;
  lastUsedAt: string;
  rpid: string;
  origin: string;
  country: string;
  device: string;
  nickname: string | null;
  userId: string;
  backupState: boolean;
  isBackupEligible: boolean;
  isDiscoverable: boolean | null;
  providerName: string | null;
}

export interface UserDetail {
  userId: string;
  credentials: Credential[];
  aliases: (string | null)[];
}

export interface Settings {
  isGenerateSignInTokenEndpointEnabled: boolean;
  isMagicLinksEnabled: boolean;
  eventLoggingRetentionPeriod: number;
  magicLinkEmailMonthlyQuota: number;
}

export interface OrgAdmin {
  id: string;
  email: string;
  createdAt: string;
}

export interface Invitation {
  inviteUrl: string;
  expiresAt: string;
}

/** `required`, `preferred` or `discouraged`. */
export type UserVerification = 'required' | 'preferred' | 'discouraged';

export interface AuthConfig {
  purpose: string;
  userVerificationRequirement: UserVerification;
  /** Seconds. */
  timeToLive: number;
  /** Upstream's C# names joined by ", " ("SecurityKey, ClientDevice"); "" for none. */
  hints: string;
  createdBy: string;
  createdOn: string | null;
  editedBy: string | null;
  editedOn: string | null;
  lastUsedOn: string | null;
}

/** The body of creating or editing a configuration. */
export interface AuthConfigInput {
  purpose?: string;
  userVerificationRequirement: UserVerification;
  /** Seconds, or hh:mm:ss. */
  timeToLive: string;
  hints: string[];
}

export interface AppEvent {
  performedAt: string;
  message: string;
  performedBy: string;
  tenantId: string;
  eventType: string;
  severity: string;
  subject: string;
  apiKeyId: string;
}

export interface EventsPage {
  events: AppEvent[];
  nextCursor: string | null;
}

export interface MarkedForDeletion {
  message: string;
  isDeleted: boolean;
  deleteAt: string | null;
  adminEmails: string[];
}

/** What `POST /signin/verify` tells the app's backend about a verify token. */
export interface VerifiedToken {
  userId: string;
  timestamp: string;
  rpId: string | null;
  origin: string | null;
  success: boolean;
  device: string | null;
  country: string | null;
  nickname: string | null;
  credentialId: string | null;
  purpose: string | null;
  expiresAt: string;
  tokenId: string;
  type: string;
}

/** Counts of completed ceremonies by kind (`all` = both). */
export interface KindCounts {
  register: number;
  login: number;
  all: number;
}

/** `GET /admin/apps/{appId}/dashboard`: one app's analytics for the UTC days [from, to) (ANALYTICS.md). */
export interface Dashboard {
  appId: string;
  /** First day (YYYY-MM-DD), inclusive. */
  from: string;
  /** Day after the last (YYYY-MM-DD), exclusive. */
  to: string;
  /** RFC 3339: the data is complete up to this time. */
  asOf: string;
  /** Now, whatever the period. */
  usersWithPasskeys: number;
  /** Every calendar month (YYYY-MM) overlapping the period. */
  monthlyActiveUsers: { month: string; users: number }[];
  authenticationTime: {
    count: number;
    /** 21 one-second buckets; the last is "20+ s". */
    buckets: number[];
    medianSeconds: number | null;
    averageSeconds: number | null;
    passwordAverageSeconds: number;
  };
  /** Every day of the period. */
  incomplete: { date: string; incomplete: number; failed: number }[];
  platforms: Record<Platform, number>;
  usage: {
    /** Every day of the period. */
    days: { date: string; register: number; login: number }[];
    total: KindCounts;
    /** The period of equal length just before. */
    previous: KindCounts;
    /** `null`: not enough data. */
    changePercent: Record<keyof KindCounts, number | null>;
  };
  regions: { region: string; count: number }[];
  subRegions: { subRegion: string; region: string; count: number }[];
  /** `country` is ISO 3166-1 alpha-2, `""` when unknown. */
  countries: { country: string; region: string; count: number }[];
  begun: number;
  completed: number;
  failed: number;
  /** completed / begun; `null` when nothing was begun. */
  successRate: number | null;
  authenticators: { aaguid: string; name: string | null; count: number }[];
  backup: { synced: number; deviceBound: number };
  purposes: { purpose: string; count: number }[];
}

export type Platform = 'ios' | 'android' | 'macos' | 'windows' | 'other';

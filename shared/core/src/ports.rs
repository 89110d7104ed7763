//! Storage ports: one trait per aggregate, object-safe and `Send + Sync`, implemented by the
//! embedded (SQLite) and AWS (DynamoDB) adapters. Every method is one atomic step; methods that
//! must change several records at once say so, and adapters do them in one transaction.

use crate::error::StoreError;
use crate::events::Event;
use crate::model::{
    AliasRecord, ApiKeyRecord, App, AuthConfig, DailyReport, StoredCredential, TokenRecord,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub type StoreResult<T> = Result<T, StoreError>;

mod admin;
mod outbound;
pub use admin::{AdminRemoval, AdminStore};
pub use outbound::{Mail, Mailer, ObjectSink, valid_object_key};

/// `StoreError::Conflict` payloads of [`CredentialStore::add_credential`], so the domain can tell
/// which uniqueness rule failed.
pub const CONFLICT_ALIAS: &str = "alias";
pub const CONFLICT_CREDENTIAL: &str = "credential";
pub const CONFLICT_SESSION: &str = "session";
pub const CONFLICT_COUNTER: &str = "counter";
/// The user already holds [`MAX_CREDENTIALS_PER_USER`] credentials.
pub const CONFLICT_USER_FULL: &str = "user_full";

/// Apps and their API keys.
#[async_trait]
pub trait AppStore: Send + Sync {
    /// Creates the app and its first keys atomically; `Conflict` if the app id is taken.
    async fn create_app(&self, app: &App, keys: &[ApiKeyRecord]) -> StoreResult<()>;
    async fn get_app(&self, app_id: &str) -> StoreResult<Option<App>>;
    /// Every app's id, sorted (scheduled jobs walk them).
    async fn list_apps(&self) -> StoreResult<Vec<String>>;
    /// Stores `app` with its revision bumped by one, if the stored revision is still
    /// `app.revision` (compare-and-set); `Conflict` if it changed since it was read, or is gone.
    async fn update_app(&self, app: &App) -> StoreResult<()>;
    /// Finds a key by the keyed hash of its full value.
    async fn get_api_key(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>>;
    /// Adds a key to an existing app; `Conflict` if the hash exists.
    async fn add_api_key(&self, key: &ApiKeyRecord) -> StoreResult<()>;
    /// Locks or unlocks one key by its id (last 4 chars) and records when; `false` if there is
    /// no such key.
    async fn set_api_key_locked(
        &self,
        app_id: &str,
        key_id: &str,
        locked: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// The app's keys, by key id.
    async fn list_api_keys(&self, app_id: &str) -> StoreResult<Vec<ApiKeyRecord>>;
    /// Deletes a key by its id, only while it is locked (checked in the same atomic step).
    async fn delete_api_key(&self, app_id: &str, key_id: &str) -> StoreResult<KeyDeletion>;
    /// The apps of one organization, by app id.
    async fn list_org_apps(&self, org: &str) -> StoreResult<Vec<App>>;
    /// Deletes the app and everything stored for it (keys, users, credentials, aliases,
    /// configurations, events, reports, tokens where the store can find them) and leaves a
    /// tombstone, so the id is never handed out again: a token or key of the deleted app can
    /// then never be mistaken for one of a new app with the same id. `false` if there was no
    /// app.
    async fn delete_app(&self, app_id: &str) -> StoreResult<bool>;
    /// Whether an app with this id exists or existed (a tombstone counts).
    async fn app_id_taken(&self, app_id: &str) -> StoreResult<bool>;
}

/// What [`AppStore::delete_api_key`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDeletion {
    Deleted,
    NotFound,
    /// The key is unlocked: nothing changed.
    NotLocked,
}

/// What changes when a credential is used to sign in.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialUse {
    /// The counter the sign-in was verified against: the update only applies if it is unchanged.
    pub expected_counter: u32,
    pub new_counter: u32,
    pub backup_state: bool,
    pub backup_eligible: bool,
    pub last_used_at: DateTime<Utc>,
    pub country: String,
    pub device: String,
}

/// Who owns an alias.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasOwner {
    pub alias_hash: String,
    pub user_id: String,
}

#[async_trait]
pub trait CredentialStore: Send + Sync {
    async fn get_credential(
        &self,
        app_id: &str,
        credential_id: &[u8],
    ) -> StoreResult<Option<StoredCredential>>;
    /// The ids of a user's credentials, oldest first: what begin needs for allowCredentials and
    /// excludeCredentials. Consistent: a passkey registered a moment ago is included.
    async fn list_credential_ids(&self, app_id: &str, user_id: &str) -> StoreResult<Vec<Vec<u8>>>;
    /// A user's credentials, oldest first.
    async fn list_credentials(
        &self,
        app_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<StoredCredential>>;
    /// Owners of the given alias hashes (absent hashes are simply not returned).
    async fn alias_owners(
        &self,
        app_id: &str,
        alias_hashes: &[String],
    ) -> StoreResult<Vec<AliasOwner>>;
}

/// What a successful sign-in writes, all or nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct SigninCommit {
    pub app_id: String,
    /// The session being consumed: the commit fails with `Conflict(CONFLICT_SESSION)` if it is
    /// already gone, so of two concurrent completes exactly one succeeds.
    pub session_hash: String,
    pub credential_id: Vec<u8>,
    /// The credential's owner, whose last use moves too.
    pub user_id: String,
    /// Fails with `Conflict(CONFLICT_COUNTER)` if the stored counter moved since it was read.
    pub change: CredentialUse,
    pub verify_token: TokenRecord,
    /// Written with the rest (the ceremony's completion).
    pub events: Vec<Event>,
}

/// What a successful registration writes, all or nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationCommit {
    pub session_hash: String,
    /// Fails with `Conflict(CONFLICT_CREDENTIAL)` if the id is registered in the app already,
    /// and with `Conflict(CONFLICT_USER_FULL)` if the user has [`MAX_CREDENTIALS_PER_USER`].
    pub credential: StoredCredential,
    /// When `Some`, replaces the user's aliases; `Conflict(CONFLICT_ALIAS)` if one belongs to
    /// another user.
    pub aliases: Option<Vec<AliasRecord>>,
    pub verify_token: TokenRecord,
    /// Written with the rest (the ceremony's completion).
    pub events: Vec<Event>,
}

/// The two ceremony completions, shaped so each is one read and one atomic write (on DynamoDB:
/// a BatchGetItem or GetItem, then one TransactWriteItems).
#[async_trait]
pub trait CeremonyStore: Send + Sync {
    /// Reads a sign-in session and the credential that answered it, in one round trip.
    async fn load_signin(
        &self,
        app_id: &str,
        session_hash: &str,
        credential_id: &[u8],
    ) -> StoreResult<(Option<TokenRecord>, Option<StoredCredential>)>;
    /// Consumes the session, records the credential use and stores the verify token, atomically.
    async fn commit_signin(&self, commit: &SigninCommit) -> StoreResult<()>;
    /// Consumes the session, stores the credential (and aliases) and the verify token, atomically.
    async fn commit_registration(&self, commit: &RegistrationCommit) -> StoreResult<()>;
}

/// Register, session and verify tokens.
#[async_trait]
pub trait TokenStore: Send + Sync {
    async fn put_token(&self, token: &TokenRecord) -> StoreResult<()>;
    /// Reads a token without consuming it (register tokens are reusable until expiry).
    async fn get_token(&self, app_id: &str, token_hash: &str) -> StoreResult<Option<TokenRecord>>;
    /// Deletes and returns the token in one atomic step: of many concurrent callers exactly one
    /// gets it. Expired tokens are returned too (and deleted), so the caller can say "expired".
    async fn take_token(&self, app_id: &str, token_hash: &str) -> StoreResult<Option<TokenRecord>>;
    /// Replaces an existing token's payload and expiry (sliding admin sessions); `false` if the
    /// app has no such token.
    async fn extend_token(
        &self,
        app_id: &str,
        token_hash: &str,
        payload: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Deletes tokens that expired before `before`; returns how many.
    async fn purge_tokens(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// One user as `/users/list` shows them: everyone who has a credential or an alias.
#[derive(Debug, Clone, PartialEq)]
pub struct UserSummary {
    pub user_id: String,
    /// One entry per alias: its plaintext, or `None` when it is stored hashed.
    pub aliases: Vec<Option<String>>,
    pub credentials: u64,
    /// The latest `last_used_at` of the user's credentials; `None` without credentials.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// What [`UserStore::user_stats`] counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserStats {
    pub users: u64,
    pub credentials: u64,
    pub active_since_day: u64,
    pub active_since_week: u64,
}

/// Most passkeys one user may hold. Deleting a user removes everything of theirs in one atomic
/// step, and a DynamoDB transaction holds at most 100 items: 2 per credential (it and its
/// member), 2 per alias (≤ 10), 1 summary, 1 users-with-passkeys counter: at most 86 at 32.
/// 32 leaves room and is far above real use.
pub const MAX_CREDENTIALS_PER_USER: usize = 32;

/// Users, their aliases and credential management: the backend's `/alias`, `/credentials/*`
/// and `/users/*` calls.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Replaces the user's whole alias set, atomically; `Conflict(CONFLICT_ALIAS)` if one of
    /// them belongs to another user. An empty list removes every alias.
    async fn set_aliases(
        &self,
        app_id: &str,
        user_id: &str,
        aliases: &[AliasRecord],
    ) -> StoreResult<()>;
    /// The user's aliases, ordered by hash.
    async fn list_aliases(&self, app_id: &str, user_id: &str) -> StoreResult<Vec<AliasRecord>>;
    /// Deletes one credential and returns it; `None` if the app has no such credential.
    async fn delete_credential(
        &self,
        app_id: &str,
        credential_id: &[u8],
    ) -> StoreResult<Option<StoredCredential>>;
    /// Users with credentials or aliases, ordered by user id, after `after` (exclusive) when
    /// given, at most `limit`.
    async fn list_users(
        &self,
        app_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<UserSummary>>;
    /// How many distinct users have at least one credential.
    async fn count_users(&self, app_id: &str) -> StoreResult<u64>;
    /// Deletes all the user's credentials and aliases in one atomic step; returns how many
    /// credentials went.
    async fn delete_user(&self, app_id: &str, user_id: &str) -> StoreResult<u64>;
    /// The app's user numbers now: users with passkeys, passkeys, and users whose last use is
    /// at or after `day_start` and `week_start`.
    async fn user_stats(
        &self,
        app_id: &str,
        day_start: DateTime<Utc>,
        week_start: DateTime<Utc>,
    ) -> StoreResult<UserStats>;
}

/// Everything a [`crate::Service`] needs from storage.
pub trait Store:
    AppStore
    + CredentialStore
    + CeremonyStore
    + TokenStore
    + UserStore
    + CounterStore
    + AuthConfigStore
    + EventStore
    + ReportStore
    + AdminStore
{
}
impl<T> Store for T where
    T: AppStore
        + CredentialStore
        + CeremonyStore
        + TokenStore
        + UserStore
        + CounterStore
        + AuthConfigStore
        + EventStore
        + ReportStore
        + AdminStore
{
}

/// Authentication configurations (stored ones; the presets exist without being stored).
#[async_trait]
pub trait AuthConfigStore: Send + Sync {
    async fn get_auth_config(&self, app_id: &str, purpose: &str)
    -> StoreResult<Option<AuthConfig>>;
    /// The app's stored configurations, by purpose.
    async fn list_auth_configs(&self, app_id: &str) -> StoreResult<Vec<AuthConfig>>;
    /// Stores a new configuration; `Conflict` if its purpose is stored already.
    async fn add_auth_config(&self, config: &AuthConfig) -> StoreResult<()>;
    /// Replaces a stored configuration (its `last_used_on` is kept); `false` if none is stored.
    async fn replace_auth_config(&self, config: &AuthConfig) -> StoreResult<bool>;
    /// Deletes a stored configuration; `false` if none was stored.
    async fn delete_auth_config(&self, app_id: &str, purpose: &str) -> StoreResult<bool>;
    /// Records a use at `at`; if the purpose is not stored, stores `preset` (a preset
    /// materialises on first use, as upstream).
    async fn touch_auth_config(&self, preset: &AuthConfig, at: DateTime<Utc>) -> StoreResult<()>;
}

/// The event log.
#[async_trait]
pub trait EventStore: Send + Sync {
    async fn append_events(&self, events: &[Event]) -> StoreResult<()>;
    /// Stores a token and events in one request (a ceremony's begin and its event).
    async fn put_token_with_events(&self, token: &TokenRecord, events: &[Event])
    -> StoreResult<()>;
    /// The app's events performed at or after `since`, newest first, skipping `offset`, at
    /// most `limit`.
    async fn list_events(
        &self,
        app_id: &str,
        since: DateTime<Utc>,
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<Event>>;
    /// The app's events performed in `[from, to)`, oldest first: what the aggregation job
    /// reads for one day.
    async fn list_events_between(
        &self,
        app_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>>;
    /// How many events the app has performed at or after `since`.
    async fn count_events(&self, app_id: &str, since: DateTime<Utc>) -> StoreResult<u64>;
    /// Deletes events older than their app's retention as of `now`; returns how many (hosts
    /// whose store expires items itself do nothing).
    async fn purge_events(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}

/// Daily report snapshots.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Stores (or replaces) the report of its app and day.
    async fn put_report(&self, report: &DailyReport) -> StoreResult<()>;
    /// The app's reports from `from` to `to` inclusive, oldest first.
    async fn list_reports(
        &self,
        app_id: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> StoreResult<Vec<DailyReport>>;
}

/// Per-app counters in fixed windows: rate limits and sending quotas.
#[async_trait]
pub trait CounterStore: Send + Sync {
    /// Adds one to counter `name` of `app_id` unless it already reached `limit`; `false` when
    /// it had (nothing changes then). The counter may be forgotten after `expires_at`.
    async fn bump_counter(
        &self,
        app_id: &str,
        name: &str,
        limit: u64,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// The values of the named counters, in order (0 for absent or forgotten ones).
    async fn read_counters(&self, app_id: &str, names: &[String]) -> StoreResult<Vec<u64>>;
    /// Sets counter `marker` of `app_id` to 1 and adds one to counter `counter`, in one atomic
    /// step, unless `marker` is set already (`false` then, and nothing changes): counts
    /// distinct things exactly (a user's first ceremony of a month for MAU). Both may be
    /// forgotten after `expires_at`.
    async fn count_once(
        &self,
        app_id: &str,
        marker: &str,
        counter: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

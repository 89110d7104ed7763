//! The service: the ports and settings every operation runs against. Hosts build one per
//! process (or per Lambda cold start) and share it between requests.

use crate::StoreError;
use crate::cache::TtlCache;
use crate::clock::Clock;
use crate::error::{DomainError, KeyHeader};
use crate::keys::{self, Caller, KeyCache, KeyHasher, MintedKey};
use crate::model::AuthConfig;
use crate::model::{App, KeyKind, Scope};
use crate::ports::{Mailer, ObjectSink, Store};
use std::sync::Arc;
use std::time::Duration;

/// Who is on the other end of a browser request, as far as analytics and credentials care.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientInfo {
    pub user_agent: Option<String>,
    /// ISO 3166 alpha-2 from a trusted geo header, `""` when unknown.
    pub country: String,
}

#[derive(Clone)]
pub struct Service {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub hasher: KeyHasher,
    pub key_cache: Arc<KeyCache>,
    /// Authentication configurations by `<app>/<purpose>` (`None`: none stored).
    pub config_cache: Arc<TtlCache<Option<AuthConfig>>>,
    pub mail: MailSettings,
    pub admin: AdminSettings,
    /// Where the aggregation and billing jobs write their objects (S3, or a folder).
    pub objects: Arc<dyn ObjectSink>,
}

/// How the admin API and console sign-in behave (ADMIN-API.md).
#[derive(Clone)]
pub struct AdminSettings {
    /// Where admins open the console (`FERROKEY_PUBLIC_URL`), no trailing slash; invitation and
    /// recovery links start with it, and console passkeys are bound to its host.
    pub public_url: String,
    /// `FERROKEY_MANAGEMENT_KEY`; `None` refuses the `ManagementKey` header altogether.
    pub management_key: Option<String>,
    /// An admin session ends after this long unused …
    pub session_idle: chrono::Duration,
    /// … and this long after sign-in in any case.
    pub session_absolute: chrono::Duration,
    /// The dashboard's "average password sign-in time" line
    /// (`FERROKEY_PASSWORD_SIGNIN_SECONDS`, default 30.4).
    pub password_average_seconds: f64,
}

impl Default for AdminSettings {
    fn default() -> Self {
        AdminSettings {
            public_url: "http://localhost:8080".into(),
            management_key: None,
            session_idle: chrono::Duration::hours(12),
            session_absolute: chrono::Duration::days(7),
            password_average_seconds: crate::analytics::dashboard::PASSWORD_AVERAGE_SECONDS,
        }
    }
}

/// `FERROKEY_PUBLIC_URL`: where admins open the console.
pub const PUBLIC_URL_ENV: &str = "FERROKEY_PUBLIC_URL";
/// `FERROKEY_MANAGEMENT_KEY`: the upstream-compatible `ManagementKey` (unset: refused).
pub const MANAGEMENT_KEY_ENV: &str = "FERROKEY_MANAGEMENT_KEY";
/// `FERROKEY_ADMIN_SESSION_IDLE_MINUTES` (default 720) and `FERROKEY_ADMIN_SESSION_DAYS`
/// (default 7).
pub const SESSION_IDLE_ENV: &str = "FERROKEY_ADMIN_SESSION_IDLE_MINUTES";
pub const SESSION_DAYS_ENV: &str = "FERROKEY_ADMIN_SESSION_DAYS";
/// `FERROKEY_PASSWORD_SIGNIN_SECONDS`: the dashboard's password line (default 30.4 s).
pub const PASSWORD_SECONDS_ENV: &str = "FERROKEY_PASSWORD_SIGNIN_SECONDS";

impl AdminSettings {
    /// The settings from the environment; `default_public_url` when `FERROKEY_PUBLIC_URL` is
    /// unset (hosts pass theirs: `http://localhost:<port>` for `ferrokey serve`).
    pub fn from_env(default_public_url: &str) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let defaults = AdminSettings::default();
        let number =
            |name: &str| var(name).and_then(|v| v.trim().parse::<i64>().ok()).filter(|n| *n > 0);
        AdminSettings {
            public_url: var(PUBLIC_URL_ENV)
                .unwrap_or_else(|| default_public_url.to_string())
                .trim()
                .trim_end_matches('/')
                .to_string(),
            management_key: var(MANAGEMENT_KEY_ENV),
            session_idle: number(SESSION_IDLE_ENV)
                .map(chrono::Duration::minutes)
                .unwrap_or(defaults.session_idle),
            session_absolute: number(SESSION_DAYS_ENV)
                .map(chrono::Duration::days)
                .unwrap_or(defaults.session_absolute),
            password_average_seconds: var(PASSWORD_SECONDS_ENV)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s > 0.0)
                .unwrap_or(defaults.password_average_seconds),
        }
    }
}

impl std::fmt::Debug for AdminSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminSettings")
            .field("public_url", &self.public_url)
            .field("management_key", &self.management_key.as_ref().map(|_| "<set>"))
            .field("session_idle", &self.session_idle)
            .field("session_absolute", &self.session_absolute)
            .field("password_average_seconds", &self.password_average_seconds)
            .finish()
    }
}

/// How Ferrokey sends mail (magic links).
#[derive(Clone)]
pub struct MailSettings {
    pub mailer: Arc<dyn Mailer>,
    /// The sender address (`FERROKEY_MAIL_FROM`); on SES it must be a verified identity.
    pub from: String,
}

/// The mailer of a host that has none configured: every send is refused as unavailable.
struct NoMailer;

#[async_trait::async_trait]
impl Mailer for NoMailer {
    async fn send(&self, _mail: &crate::ports::Mail) -> crate::ports::StoreResult<String> {
        Err(StoreError::Unavailable("no mailer is configured on this host".into()))
    }
    async fn health(&self, _from: &str) -> crate::ports::StoreResult<String> {
        Err(StoreError::Unavailable("no mailer is configured (set FERROKEY_MAIL_FROM)".into()))
    }
}

/// The object sink of a host that has none configured: it holds nothing, and writes are
/// refused as unavailable. So the jobs fail clearly, while the dashboard still answers,
/// built from events alone (at a cost that grows with them).
struct NoObjects;

#[async_trait::async_trait]
impl ObjectSink for NoObjects {
    async fn put(&self, _key: &str, _body: Vec<u8>, _type: &str) -> crate::ports::StoreResult<()> {
        Err(StoreError::Unavailable("no object sink is configured (set FERROKEY_BUCKET)".into()))
    }
    async fn get(&self, _key: &str) -> crate::ports::StoreResult<Option<Vec<u8>>> {
        Ok(None)
    }
    async fn list(&self, _prefix: &str) -> crate::ports::StoreResult<Vec<String>> {
        Ok(vec![])
    }
}

/// Key failures logged per app and minute at most.
pub const KEY_FAILURE_EVENTS_PER_MINUTE: u64 = 10;

/// The sender used when none is configured.
pub const DEFAULT_MAIL_FROM: &str = "no-reply@ferrokey.localhost";

/// The keys of a new app, shown once.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApp {
    pub app_id: String,
    pub api_key: String,
    pub api_secret: String,
}

impl Service {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, hasher: KeyHasher) -> Self {
        Service {
            store,
            clock,
            hasher,
            key_cache: Arc::new(KeyCache::new(Duration::ZERO)),
            config_cache: Arc::new(TtlCache::new(Duration::ZERO)),
            mail: MailSettings { mailer: Arc::new(NoMailer), from: DEFAULT_MAIL_FROM.into() },
            admin: AdminSettings::default(),
            objects: Arc::new(NoObjects),
        }
    }

    /// Writes rollups and billing objects to `sink`.
    pub fn with_objects(mut self, sink: Arc<dyn ObjectSink>) -> Self {
        self.objects = sink;
        self
    }

    /// Uses these admin settings (public URL, management key, session lifetimes).
    pub fn with_admin(mut self, admin: AdminSettings) -> Self {
        self.admin = admin;
        self
    }

    /// Sends mail through `mailer` from `from`.
    pub fn with_mailer(mut self, mailer: Arc<dyn Mailer>, from: impl Into<String>) -> Self {
        self.mail = MailSettings { mailer, from: from.into() };
        self
    }

    /// The caller's app; a key that authenticated always has one, so a missing app is a fault.
    pub async fn app(&self, app_id: &str) -> Result<App, DomainError> {
        self.store
            .get_app(app_id)
            .await?
            .ok_or_else(|| DomainError::Internal(format!("app {app_id} has keys but no record")))
    }

    /// Caches valid API keys (see [`KeyCache`]) and authentication configurations for `ttl`:
    /// a change made on another host reaches this one within `ttl`. The default caches nothing.
    pub fn with_key_cache(mut self, ttl: Duration) -> Self {
        self.key_cache = Arc::new(KeyCache::new(ttl));
        self.config_cache = Arc::new(TtlCache::new(ttl));
        self
    }

    /// Authenticates a key header for one scope (see [`keys::authenticate`]).
    pub async fn authenticate(
        &self,
        header: KeyHeader,
        scope: Option<Scope>,
        primary: Option<&str>,
        other: Option<&str>,
    ) -> Result<Caller, DomainError> {
        let result = keys::authenticate(
            self.store.as_ref(),
            &self.key_cache,
            &self.hasher,
            header,
            scope,
            primary,
            other,
        )
        .await;
        if let (Err(e), Some(value)) = (&result, primary) {
            self.record_key_failure(header, value, e).await;
        }
        result
    }

    /// Logs a well-formed key that was unknown or locked in its app's event log (upstream's
    /// `ApiAuth{Invalid,Disabled}{Public,Secret}KeyUsed`). Only for apps that exist, and at
    /// most [`KEY_FAILURE_EVENTS_PER_MINUTE`] a minute per app and kind, so a stranger hammering
    /// made-up keys can neither fill the log nor create data for apps that do not exist.
    async fn record_key_failure(&self, header: KeyHeader, value: &str, error: &DomainError) {
        use crate::events::{Event, EventKind};
        let public = header == KeyHeader::ApiKey;
        let kind = match error {
            DomainError::ApiKeyLocked if public => EventKind::ApiAuthDisabledPublicKeyUsed,
            DomainError::ApiKeyLocked => EventKind::ApiAuthDisabledSecretKeyUsed,
            DomainError::Unauthorized { detail, .. } if detail.ends_with("is not valid.") => {
                if public {
                    EventKind::ApiAuthInvalidPublicKeyUsed
                } else {
                    EventKind::ApiAuthInvalidSecretKeyUsed
                }
            }
            _ => return,
        };
        let app_id = value.split(':').next().unwrap_or_default();
        if !keys::is_valid_app_id(app_id)
            || !matches!(self.store.get_app(app_id).await, Ok(Some(_)))
        {
            return;
        }
        let now = self.clock.now();
        let minute = now.timestamp().div_euclid(60);
        let until = now + chrono::Duration::minutes(2);
        let name = format!("key-failures-{}-{minute}", kind.id());
        if !matches!(
            self.store.bump_counter(app_id, &name, KEY_FAILURE_EVENTS_PER_MINUTE, until).await,
            Ok(true)
        ) {
            return;
        }
        let key_id: String =
            value.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        let what = if matches!(error, DomainError::ApiKeyLocked) { "locked" } else { "unknown" };
        let message = format!("A {what} {} ending in {key_id} was used", header.name());
        let event = Event::new(app_id, kind, now, &key_id, app_id, message).by("Unknown");
        if let Err(e) = self.store.append_events(&[event]).await {
            tracing::warn!(error = %e, "could not record a key failure");
        }
    }

    /// Creates an app with one public key and one secret, both with their default scopes, in
    /// the default organization (the one the first admin of `ferrokey serve` belongs to).
    pub async fn create_app(&self, app_id: &str) -> Result<CreatedApp, DomainError> {
        self.create_app_for(app_id, vec![], crate::ops::admin::org::DEFAULT_ORG).await
    }

    /// Creates an app of organization `org` whose admins have these email addresses (magic
    /// links may reach them from the first minute).
    pub async fn create_app_for(
        &self,
        app_id: &str,
        admin_emails: Vec<String>,
        org: &str,
    ) -> Result<CreatedApp, DomainError> {
        if crate::ops::admin::console::is_reserved(app_id) {
            return Err(DomainError::AppExists { app_id: app_id.to_string() });
        }
        if !keys::is_valid_app_id(app_id) {
            return Err(DomainError::invalid_field(
                "appId",
                "The app id must start with a lowercase letter followed by 2 to 61 lowercase letters or digits.",
            ));
        }
        let now = self.clock.now();
        let mint = |kind| -> MintedKey {
            keys::mint_key(&self.hasher, app_id, kind, Scope::defaults(kind), now)
        };
        let (public, secret) = (mint(KeyKind::Public), mint(KeyKind::Secret));
        let mut app = App::new(app_id, now);
        app.admin_emails = admin_emails;
        app.org = Some(org.to_string());
        match self.store.create_app(&app, &[public.record, secret.record]).await {
            Ok(()) => Ok(CreatedApp {
                app_id: app_id.to_string(),
                api_key: public.value,
                api_secret: secret.value,
            }),
            Err(StoreError::Conflict(_)) => {
                Err(DomainError::AppExists { app_id: app_id.to_string() })
            }
            Err(e) => Err(e.into()),
        }
    }
}

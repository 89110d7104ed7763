//! The service: the ports and settings every operation runs against. Hosts build one per
//! process (or per Lambda cold start) and share it between requests.

use crate::StoreError;
use crate::clock::Clock;
use crate::error::{DomainError, KeyHeader};
use crate::keys::{self, Caller, KeyCache, KeyHasher, MintedKey};
use crate::model::{App, KeyKind, Scope};
use crate::ports::Store;
use std::sync::Arc;

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
}

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
        Service { store, clock, hasher, key_cache: Arc::new(KeyCache::default()) }
    }

    /// Caches valid API keys for `ttl` (see [`KeyCache`]); the default caches nothing.
    pub fn with_key_cache(mut self, ttl: std::time::Duration) -> Self {
        self.key_cache = Arc::new(KeyCache::new(ttl));
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
        keys::authenticate(
            self.store.as_ref(),
            &self.key_cache,
            &self.hasher,
            header,
            scope,
            primary,
            other,
        )
        .await
    }

    /// Creates an app with one public key and one secret, both with their default scopes.
    pub async fn create_app(&self, app_id: &str) -> Result<CreatedApp, DomainError> {
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
        let app = App { app_id: app_id.to_string(), created_at: now };
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

//! The event log: every operation records what happened (contract §8.5's types, who performed
//! it, with which key), and ceremonies add the facts analytics aggregates (stage, duration,
//! User-Agent, country, authenticator, backup flags, purpose).
//!
//! Ferrokey records events always (upstream only with event logging on); `/events` shows those
//! within the app's retention.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest User-Agent kept in an event: enough for every real browser's, and events stay small.
pub const MAX_USER_AGENT_CHARS: usize = 512;

/// Event types: upstream's numeric id, name and severity (§8.5), plus Ferrokey's ceremony
/// failures (1008, 1108), which analytics counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    ApiAuthUserRegistered,
    ApiAuthPasskeyRegistrationBegan,
    ApiAuthPasskeyRegistrationCompleted,
    ApiAuthPasskeyRegistrationFailed,
    ApiAuthInvalidSecretKeyUsed,
    ApiAuthInvalidPublicKeyUsed,
    ApiAuthDisabledSecretKeyUsed,
    ApiAuthDisabledPublicKeyUsed,
    ApiUserSetAliases,
    ApiUserDeleteCredential,
    ApiUserSignInBegan,
    ApiUserSignInCompleted,
    ApiUserSignInVerified,
    ApiUserSignInFailed,
    ApiUserDeleted,
    ApiUserSigninTokenCreated,
    ApiUserMagicLinkCreated,
    ApiAuthenticationConfigurationCreated,
    ApiAuthenticationConfigurationUpdated,
    ApiAuthenticationConfigurationDeleted,
    ApiManagementAppMarkedForDeletion,
    ApiManagementAppDeletionCancelled,
    ApiManagementAppCreated,
    ApiManagementAppFrozen,
    ApiManagementAppUnfrozen,
    AdminOrganizationCreated,
    AdminSendAdminInvite,
    AdminMagicLinkLogin,
    AdminDeleteAdmin,
    AdminCancelAdminInvite,
    AdminInvalidInviteUsed,
    AdminAcceptedInvite,
    AdminSignInTokenVerified,
    AdminApiKeyCreated,
    AdminApiKeyDeleted,
    AdminApiKeyLocked,
    AdminApiKeyUnlocked,
    AdminApiKeysEnumerated,
    AdminGenerateSignInTokenEndpointEnabled,
    AdminGenerateSignInTokenEndpointDisabled,
    AdminMagicLinksEnabled,
    AdminMagicLinksDisabled,
}

/// How much an event matters (upstream's enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Alert,
    Warning,
    Informational,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Alert => "Alert",
            Severity::Warning => "Warning",
            Severity::Informational => "Informational",
        }
    }
}

impl EventKind {
    pub fn id(self) -> u32 {
        use EventKind::*;
        match self {
            ApiAuthUserRegistered => 1000,
            ApiAuthPasskeyRegistrationBegan => 1001,
            ApiAuthPasskeyRegistrationCompleted => 1002,
            ApiAuthInvalidSecretKeyUsed => 1003,
            ApiAuthInvalidPublicKeyUsed => 1004,
            ApiAuthDisabledSecretKeyUsed => 1005,
            ApiAuthDisabledPublicKeyUsed => 1006,
            ApiAuthPasskeyRegistrationFailed => 1008,
            ApiUserSetAliases => 1100,
            ApiUserDeleteCredential => 1101,
            ApiUserSignInBegan => 1102,
            ApiUserSignInCompleted => 1103,
            ApiUserSignInVerified => 1104,
            ApiUserDeleted => 1105,
            ApiUserSigninTokenCreated => 1106,
            ApiUserMagicLinkCreated => 1107,
            ApiUserSignInFailed => 1108,
            ApiAuthenticationConfigurationCreated => 1400,
            ApiAuthenticationConfigurationUpdated => 1401,
            ApiAuthenticationConfigurationDeleted => 1402,
            ApiManagementAppMarkedForDeletion => 1200,
            ApiManagementAppDeletionCancelled => 1201,
            ApiManagementAppCreated => 1202,
            ApiManagementAppFrozen => 1203,
            ApiManagementAppUnfrozen => 1204,
            AdminOrganizationCreated => 7000,
            AdminSendAdminInvite => 7001,
            AdminMagicLinkLogin => 7002,
            AdminDeleteAdmin => 7003,
            AdminCancelAdminInvite => 7004,
            AdminInvalidInviteUsed => 7005,
            AdminAcceptedInvite => 7006,
            AdminSignInTokenVerified => 7007,
            AdminApiKeyCreated => 7008,
            AdminApiKeyDeleted => 7009,
            AdminApiKeyLocked => 7010,
            AdminApiKeyUnlocked => 7011,
            AdminApiKeysEnumerated => 7012,
            AdminGenerateSignInTokenEndpointEnabled => 7013,
            AdminGenerateSignInTokenEndpointDisabled => 7014,
            AdminMagicLinksEnabled => 7015,
            AdminMagicLinksDisabled => 7016,
        }
    }

    /// The name `/events` reports (serde gives the same spelling).
    pub fn name(self) -> String {
        format!("{self:?}")
    }

    pub fn severity(self) -> Severity {
        use EventKind::*;
        match self {
            ApiAuthInvalidSecretKeyUsed
            | ApiAuthInvalidPublicKeyUsed
            | ApiAuthDisabledSecretKeyUsed
            | ApiAuthDisabledPublicKeyUsed
            | ApiManagementAppFrozen
            | ApiManagementAppUnfrozen
            | AdminGenerateSignInTokenEndpointEnabled
            | AdminGenerateSignInTokenEndpointDisabled
            | AdminMagicLinksEnabled
            | AdminMagicLinksDisabled => Severity::Alert,
            ApiAuthPasskeyRegistrationFailed | ApiUserSignInFailed => Severity::Warning,
            _ => Severity::Informational,
        }
    }
}

/// Which ceremony a ceremony event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ceremony {
    Register,
    Signin,
}

/// How far a ceremony got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Begin,
    Complete,
    Fail,
}

/// What analytics needs to know of one ceremony step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CeremonyFacts {
    pub ceremony: Option<Ceremony>,
    pub stage: Option<Stage>,
    /// Links a begin to its complete or fail: a prefix of the session's storage hash.
    pub ceremony_id: String,
    /// From begin to this step, for completes and failures.
    pub duration_ms: Option<i64>,
    pub user_agent: String,
    pub country: String,
    pub aaguid: Option<String>,
    pub backup_eligible: Option<bool>,
    pub backup_state: Option<bool>,
    pub purpose: Option<String>,
    /// The refusal's errorCode, for failures.
    pub error_code: Option<String>,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub app_id: String,
    /// Unique per event; with `performed_at`, orders the log.
    pub id: String,
    pub performed_at: DateTime<Utc>,
    pub kind: EventKind,
    pub message: String,
    pub performed_by: String,
    /// Who or what it is about: a user id, a purpose, the app.
    pub subject: String,
    /// The last four characters of the API key used (the key's id), `""` when none.
    pub api_key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceremony: Option<CeremonyFacts>,
}

impl Event {
    /// An event of `kind` at `at`, performed with `key_id`.
    pub fn new(
        app_id: &str,
        kind: EventKind,
        at: DateTime<Utc>,
        key_id: &str,
        subject: &str,
        message: impl Into<String>,
    ) -> Self {
        Event {
            app_id: app_id.to_string(),
            id: uuid::Uuid::new_v4().simple().to_string(),
            performed_at: at,
            kind,
            message: message.into(),
            performed_by: "Api".into(),
            subject: subject.to_string(),
            api_key_id: key_id.to_string(),
            ceremony: None,
        }
    }

    pub fn by(mut self, performed_by: impl Into<String>) -> Self {
        self.performed_by = performed_by.into();
        self
    }

    pub fn with_ceremony(mut self, facts: CeremonyFacts) -> Self {
        self.ceremony = Some(facts);
        self
    }
}

/// A User-Agent cut to [`MAX_USER_AGENT_CHARS`].
pub fn bounded_user_agent(user_agent: Option<&str>) -> String {
    user_agent.unwrap_or_default().chars().take(MAX_USER_AGENT_CHARS).collect()
}

/// The ceremony id of a session: enough of its hash to be unique, nothing that opens it.
pub fn ceremony_id(session_hash: &str) -> String {
    session_hash.chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ids_and_severities_follow_upstream() {
        assert_eq!(EventKind::ApiUserSignInCompleted.name(), "ApiUserSignInCompleted");
        assert_eq!(EventKind::ApiUserSignInCompleted.id(), 1103);
        assert_eq!(EventKind::ApiAuthDisabledPublicKeyUsed.severity().name(), "Alert");
        assert_eq!(EventKind::ApiUserDeleted.severity().name(), "Informational");
        let json = serde_json::to_string(&EventKind::ApiUserMagicLinkCreated).unwrap_or_default();
        assert_eq!(json, "\"ApiUserMagicLinkCreated\"");
    }
}

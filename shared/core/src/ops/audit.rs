//! Recording events for operations (see [`crate::events`]). Ceremony completions write theirs
//! inside their atomic commit; everything else appends after the operation succeeded, and a
//! failure to append is logged rather than undoing what already happened.

use crate::error::DomainError;
use crate::events::{self, Ceremony, CeremonyFacts, Event, EventKind, Stage};
use crate::keys::Caller;
use crate::model::TokenRecord;
use crate::service::{ClientInfo, Service};
use chrono::{DateTime, Utc};

/// An event performed with the caller's key, now.
pub fn event(
    svc: &Service,
    caller: &Caller,
    kind: EventKind,
    subject: &str,
    message: impl Into<String>,
) -> Event {
    let event = Event::new(&caller.app_id, kind, svc.clock.now(), &caller.key_id, subject, message);
    match &caller.performed_by {
        Some(by) => event.by(by.clone()),
        None => event,
    }
}

/// Appends events after an operation succeeded.
pub async fn record(svc: &Service, events: Vec<Event>) {
    if let Err(e) = svc.store.append_events(&events).await {
        let kinds: Vec<String> = events.iter().map(|e| e.kind.name()).collect();
        tracing::error!(error = %e, events = ?kinds, "events could not be recorded");
    }
}

/// The facts of one ceremony step as the browser's request tells them.
pub fn facts(
    ceremony: Ceremony,
    stage: Stage,
    session_hash: &str,
    client: &ClientInfo,
) -> CeremonyFacts {
    CeremonyFacts {
        ceremony: Some(ceremony),
        stage: Some(stage),
        ceremony_id: events::ceremony_id(session_hash),
        user_agent: events::bounded_user_agent(client.user_agent.as_deref()),
        country: client.country.clone(),
        ..Default::default()
    }
}

/// Milliseconds from a ceremony's begin to `now`.
pub fn duration_ms(began_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - began_at).num_milliseconds().max(0)
}

/// Records a ceremony that failed at completion (analytics counts them; the log shows them).
pub async fn ceremony_failed(
    svc: &Service,
    caller: &Caller,
    ceremony: Ceremony,
    session: &TokenRecord,
    began_at: DateTime<Utc>,
    client: &ClientInfo,
    error: &DomainError,
) {
    let (kind, what) = match ceremony {
        Ceremony::Register => {
            (EventKind::ApiAuthPasskeyRegistrationFailed, "Passkey registration failed")
        }
        Ceremony::Signin => (EventKind::ApiUserSignInFailed, "Sign-in failed"),
    };
    let code = match error {
        DomainError::BadRequest { code, .. } => code.map(String::from),
        DomainError::UnknownCredential { .. } => Some("unknown_credential".to_string()),
        DomainError::AliasConflict => Some("alias_conflict".to_string()),
        _ => None,
    };
    let mut facts = facts(ceremony, Stage::Fail, &session.token_hash, client);
    facts.duration_ms = Some(duration_ms(began_at, svc.clock.now()));
    facts.error_code = code.clone();
    let message = format!("{what}: {}", code.as_deref().unwrap_or("error"));
    let event = event(svc, caller, kind, "", message).by("Browser").with_ceremony(facts);
    record(svc, vec![event]).await;
}

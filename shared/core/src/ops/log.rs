//! `GET /events`: the app's event log, newest first, within its retention.

use crate::error::DomainError;
use crate::events::Event;
use crate::keys::Caller;
use crate::service::Service;
use chrono::Duration;

const DEFAULT_PAGE_SIZE: i64 = 100;
const MAX_PAGE_SIZE: i64 = 1000;

/// One page of the log and the number of events in it all.
#[derive(Debug, Clone)]
pub struct EventPage {
    pub events: Vec<Event>,
    pub total: u64,
}

/// A query parameter that must be an integer, with ASP.NET's binding texts.
fn integer(name: &str, value: Option<&str>, required: bool) -> Result<Option<i64>, DomainError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None if required => Err(DomainError::bad_request_uncoded(format!(
            "Required parameter \"int {name}\" was not provided from query string."
        ))),
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            let shown: String = v.chars().take(20).collect();
            DomainError::bad_request_uncoded(format!(
                "Failed to bind parameter \"int {name}\" from \"{shown}\"."
            ))
        }),
    }
}

/// `GET /events?pageNumber=&numberOfResults=`.
pub async fn list(
    svc: &Service,
    caller: &Caller,
    page_number: Option<&str>,
    number_of_results: Option<&str>,
) -> Result<EventPage, DomainError> {
    let page = integer("pageNumber", page_number, true)?.unwrap_or(1);
    let size = integer("numberOfResults", number_of_results, false)?.unwrap_or(DEFAULT_PAGE_SIZE);
    let mut errors = super::validate::Errors::default();
    if page < 1 {
        errors.add("pageNumber", "The field PageNumber must be at least 1.");
    }
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        errors.add(
            "numberOfResults",
            format!("The field NumberOfResults must be between 1 and {MAX_PAGE_SIZE}."),
        );
    }
    errors.into_result()?;
    let app = svc.app(&caller.app_id).await?;
    let since =
        svc.clock.now() - Duration::days(i64::from(app.features.event_logging_retention_days));
    let (page, size) = (usize::try_from(page).unwrap_or(1), usize::try_from(size).unwrap_or(1));
    let offset = (page - 1).saturating_mul(size);
    let events = svc.store.list_events(&caller.app_id, since, offset, size).await?;
    let total = svc.store.count_events(&caller.app_id, since).await?;
    Ok(EventPage { events, total })
}

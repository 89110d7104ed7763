//! Anonymous endpoints: `/` and `/health/http`.

/// `GET /health/http`: the process answers.
pub async fn http() -> &'static str {
    "Healthy"
}

/// `GET /`: a pointer for humans.
pub async fn root() -> &'static str {
    "Hey, this place is for computers. Check out our human documentation instead: https://docs.passwordless.dev"
}

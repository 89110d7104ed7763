//! Lambda function for the `reporting-active-users` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("reporting-active-users").await
}

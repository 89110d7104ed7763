//! Lambda function for the `reporting-credentials` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("reporting-credentials").await
}

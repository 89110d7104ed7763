//! Lambda function for the `signin-generate-token` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("signin-generate-token").await
}

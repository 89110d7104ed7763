//! Lambda function for the `auth-configs-update` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("auth-configs-update").await
}

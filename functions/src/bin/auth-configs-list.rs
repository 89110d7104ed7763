//! Lambda function for the `auth-configs-list` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("auth-configs-list").await
}

//! Lambda function for the `auth-configs-delete` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("auth-configs-delete").await
}

//! Lambda function for the `auth-configs-add` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("auth-configs-add").await
}

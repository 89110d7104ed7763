//! Lambda function for the `register-complete` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("register-complete").await
}

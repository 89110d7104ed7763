//! Lambda function for the `register-begin` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("register-begin").await
}

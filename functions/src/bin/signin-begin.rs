//! Lambda function for the `signin-begin` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("signin-begin").await
}

//! Lambda function for the `console-config` rows of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("console-config").await
}

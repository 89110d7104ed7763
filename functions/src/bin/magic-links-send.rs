//! Lambda function for the `magic-links-send` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("magic-links-send").await
}

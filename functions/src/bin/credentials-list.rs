//! Lambda function for the `credentials-list` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("credentials-list").await
}

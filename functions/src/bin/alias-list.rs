//! Lambda function for the `alias-list` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("alias-list").await
}

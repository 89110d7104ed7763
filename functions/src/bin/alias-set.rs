//! Lambda function for the `alias-set` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("alias-set").await
}

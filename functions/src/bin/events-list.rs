//! Lambda function for the `events-list` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("events-list").await
}

//! Lambda function for the `health-mail` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("health-mail").await
}

//! Lambda function for the `apps-features` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("apps-features").await
}

//! Lambda function for the `admin-settings` rows of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("admin-settings").await
}

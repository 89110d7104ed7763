//! Lambda function for the `admin-dashboard` rows of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("admin-dashboard").await
}

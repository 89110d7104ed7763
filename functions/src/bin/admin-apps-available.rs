//! Lambda function for the `admin-apps-available` rows of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("admin-apps-available").await
}

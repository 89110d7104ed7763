//! Lambda function for the `admin-invites-accept` rows of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("admin-invites-accept").await
}

//! Lambda function for the `users-delete` row of the route table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ferrokey_functions::run("users-delete").await
}

//! Use cases: one async function per API operation, typed input to typed output.

pub mod register;
pub mod session;
pub mod signin;
pub mod validate;
pub mod verify;

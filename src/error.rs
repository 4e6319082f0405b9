//! Errors a user can act on: a message and, where we know it, what to do about it.

/// A failure that is the user's to fix, with a hint shown on its own `hint:` line.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
}

pub fn user(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    UserError { message: message.into(), hint: Some(hint.into()) }.into()
}

//! Commands return `shumari_app::AppError`, which serialises as `{code, message}`; this alias keeps the
//! command signatures short.

pub type CmdResult<T> = Result<T, shumari_app::AppError>;

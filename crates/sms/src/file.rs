//! [`FileGateway`]: every message appended to a file as one JSON line, for development and tests
//! (the line is what an operator or a test reads back; nothing is sent anywhere).

use crate::encoding::{segments, Encoding};
use crate::{SendFuture, SmsError, SmsGateway};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentLine {
    /// The phone number.
    pub to: String,
    /// The message.
    pub text: String,
    /// `gsm7` or `ucs2`.
    pub encoding: String,
    /// Segments the message takes.
    pub segments: usize,
}

/// Appends each message to a file as a JSON line.
#[derive(Debug)]
pub struct FileGateway {
    path: PathBuf,
    // Lines from concurrent sends are written whole, one after the other.
    lock: Mutex<()>,
}

impl FileGateway {
    /// A gateway writing to `path` (created on first send).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileGateway {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lines written to `path` so far (none when it does not exist).
    pub fn read(path: &Path) -> Result<Vec<SentLine>, SmsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        text.lines()
            .map(|l| {
                serde_json::from_str(l).map_err(|e| SmsError::Config(format!("a bad line: {e}")))
            })
            .collect()
    }

    fn append(&self, to: &str, text: &str) -> Result<(), SmsError> {
        let s = segments(text);
        let line = SentLine {
            to: to.to_string(),
            text: text.to_string(),
            encoding: match s.encoding {
                Encoding::Gsm7 => "gsm7",
                Encoding::Ucs2 => "ucs2",
            }
            .to_string(),
            segments: s.count,
        };
        let mut json = serde_json::to_string(&line).map_err(|e| SmsError::Config(e.to_string()))?;
        json.push('\n');
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        f.write_all(json.as_bytes())?;
        Ok(())
    }
}

impl SmsGateway for FileGateway {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move { self.append(to, text) })
    }
}

//! The wire codec: a small hand-written binary format inside a compressed frame.
//!
//! ```text
//! frame   = "SHMS" version:u16-be kind:u8 body
//! kind    = message kind (low 7 bits) | 0x80 when body is raw DEFLATE (else body is the payload as is)
//! payload = fields written by `Writer` (LEB128 varints, length-prefixed bytes and strings)
//! ```
//! Why hand-written: the decoder is the registry's attack surface (it is fuzzed), so every length is
//! checked against what is left before anything is allocated, and the decompressed size is capped.
//! Why compress the whole frame: households share field names and many values, so compressing a whole
//! batch of raw automerge changes costs a fraction of compressing each document alone (see the notes).
//! Why raw DEFLATE, and why "stored": a lone edit is a couple of hundred bytes, mostly hashes and ids
//! that do not compress; gzip's 18 bytes of header and trailer were a tenth of it. The sender keeps
//! whichever of the two is smaller (TCP and TLS already check integrity, so no CRC is repeated here).

use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use std::io::{Read, Write};
use uuid::Uuid;

/// Frame magic.
pub const MAGIC: &[u8; 4] = b"SHMS";
/// Kind bit: the body is raw DEFLATE.
pub const DEFLATED: u8 = 0x80;
/// Largest payload a decoder accepts once decompressed (a guard against compression bombs).
pub const MAX_DECOMPRESSED: usize = 32 * 1024 * 1024;

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes end before the message does.
    #[error("the message is truncated")]
    Truncated,
    /// Not a Shumari sync frame.
    #[error("not a Shumari sync message (bad magic)")]
    BadMagic,
    /// A frame of another kind than expected.
    #[error("unexpected message kind {found}, expected {expected}")]
    WrongKind {
        /// Kind expected.
        expected: u8,
        /// Kind found.
        found: u8,
    },
    /// The sender speaks a protocol version this build does not.
    #[error("protocol version {0} is not supported")]
    Version(u16),
    /// Decompression failed or exceeded the size cap.
    #[error("the message body could not be decompressed: {0}")]
    Compression(String),
    /// A field had an impossible value.
    #[error("invalid field `{0}`")]
    Invalid(&'static str),
    /// Bytes were left after the message.
    #[error("trailing bytes after the message")]
    Trailing,
}

/// Appends fields to a buffer.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }
    /// The bytes written.
    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }
    /// Current length.
    pub fn len(&self) -> usize {
        self.buf.len()
    }
    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    /// One byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    /// LEB128 unsigned varint.
    pub fn varint(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(b);
                return;
            }
            self.buf.push(b | 0x80);
        }
    }
    /// Length-prefixed bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.varint(b.len() as u64);
        self.buf.extend_from_slice(b);
    }
    /// Length-prefixed UTF-8.
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    /// 16 raw bytes.
    pub fn uuid(&mut self, id: &Uuid) {
        self.buf.extend_from_slice(id.as_bytes());
    }
    /// Fixed 32 bytes.
    pub fn hash(&mut self, h: &[u8; 32]) {
        self.buf.extend_from_slice(h);
    }
}

/// Reads fields, checking every length against what is left.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads from `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }
    /// Fails unless everything was read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::Trailing)
        }
    }
    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }
    /// The next `n` bytes.
    pub fn take_bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        self.take(n)
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.buf.len() {
            return Err(DecodeError::Truncated);
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }
    /// One byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    /// LEB128 unsigned varint (at most 10 bytes).
    pub fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let b = self.u8()?;
            let part = u64::from(b & 0x7f);
            if i == 9 && part > 1 {
                return Err(DecodeError::Invalid("varint"));
            }
            v |= part << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DecodeError::Invalid("varint"))
    }
    /// A count of items each at least `min_item` bytes long (so a lying count cannot make us allocate).
    pub fn count(&mut self, min_item: usize) -> Result<usize, DecodeError> {
        let n = self.varint()?;
        let n = usize::try_from(n).map_err(|_| DecodeError::Invalid("count"))?;
        if n.saturating_mul(min_item.max(1)) > self.buf.len() {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }
    /// Length-prefixed bytes.
    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.varint()?;
        let n = usize::try_from(n).map_err(|_| DecodeError::Truncated)?;
        self.take(n)
    }
    /// Length-prefixed UTF-8.
    pub fn str(&mut self) -> Result<String, DecodeError> {
        let b = self.bytes()?;
        std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|_| DecodeError::Invalid("utf-8 string"))
    }
    /// 16 raw bytes.
    pub fn uuid(&mut self) -> Result<Uuid, DecodeError> {
        let b = self.take(16)?;
        let mut a = [0u8; 16];
        a.copy_from_slice(b);
        Ok(Uuid::from_bytes(a))
    }
    /// Fixed 32 bytes.
    pub fn hash(&mut self) -> Result<[u8; 32], DecodeError> {
        let b = self.take(32)?;
        let mut a = [0u8; 32];
        a.copy_from_slice(b);
        Ok(a)
    }
}

/// Wraps a payload in a frame: magic, version, kind, and the payload deflated or, when deflating
/// does not make it smaller (tiny or incompressible payloads), stored as is.
pub fn frame(version: u16, kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() / 3 + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_be_bytes());
    out.push(kind & !DEFLATED);
    // Small frames (a lone edit, a pull) get the best compression; it costs nothing at that size.
    let level = if payload.len() < 16 * 1024 {
        Compression::best()
    } else {
        Compression::default()
    };
    let mut enc = DeflateEncoder::new(Vec::with_capacity(payload.len() / 3 + 16), level);
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(payload);
    match enc.finish() {
        Ok(z) if z.len() < payload.len() => {
            out[6] |= DEFLATED;
            out.extend_from_slice(&z);
        }
        _ => out.extend_from_slice(payload),
    }
    out
}

/// The version and kind in a frame's header, without decompressing.
pub fn peek(frame: &[u8]) -> Result<(u16, u8), DecodeError> {
    if frame.len() < 7 {
        return Err(DecodeError::Truncated);
    }
    if &frame[..4] != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    Ok((
        u16::from_be_bytes([frame[4], frame[5]]),
        frame[6] & !DEFLATED,
    ))
}

/// Unwraps a frame of `kind`, checking magic and that the version is `version`, and capping the
/// decompressed size.
pub fn unframe(frame: &[u8], version: u16, kind: u8) -> Result<Vec<u8>, DecodeError> {
    let (v, k) = peek(frame)?;
    if v != version {
        return Err(DecodeError::Version(v));
    }
    if k != kind {
        return Err(DecodeError::WrongKind {
            expected: kind,
            found: k,
        });
    }
    let body = &frame[7..];
    if frame[6] & DEFLATED == 0 {
        if body.len() > MAX_DECOMPRESSED {
            return Err(DecodeError::Compression(format!(
                "larger than {MAX_DECOMPRESSED} bytes"
            )));
        }
        return Ok(body.to_vec());
    }
    let mut out = Vec::new();
    DeflateDecoder::new(body)
        .take(MAX_DECOMPRESSED as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| DecodeError::Compression(e.to_string()))?;
    if out.len() > MAX_DECOMPRESSED {
        return Err(DecodeError::Compression(format!(
            "larger than {MAX_DECOMPRESSED} bytes"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut w = Writer::new();
            w.varint(v);
            let b = w.into_inner();
            let mut r = Reader::new(&b);
            assert_eq!(r.varint().unwrap(), v);
            r.finish().unwrap();
        }
    }

    #[test]
    fn lying_lengths_are_errors() {
        let mut w = Writer::new();
        w.varint(1 << 40);
        let b = w.into_inner();
        assert_eq!(Reader::new(&b).bytes(), Err(DecodeError::Truncated));
        assert_eq!(Reader::new(&b).count(1), Err(DecodeError::Truncated));
    }

    #[test]
    fn frames_check_magic_version_and_kind() {
        let f = frame(1, 3, b"hello");
        assert_eq!(unframe(&f, 1, 3).unwrap(), b"hello");
        assert_eq!(unframe(&f, 2, 3), Err(DecodeError::Version(1)));
        assert!(matches!(
            unframe(&f, 1, 4),
            Err(DecodeError::WrongKind { .. })
        ));
        assert_eq!(unframe(b"nope!!!!", 1, 3), Err(DecodeError::BadMagic));
    }

    #[test]
    fn small_or_incompressible_payloads_are_stored_and_others_deflated() {
        let tiny = frame(2, 7, b"abc");
        assert_eq!(tiny.len(), 7 + 3, "stored: no compression overhead");
        assert_eq!(tiny[6] & DEFLATED, 0);
        let text = b"household household household household household".repeat(20);
        let f = frame(2, 5, &text);
        assert_ne!(f[6] & DEFLATED, 0);
        assert!(f.len() < text.len() / 4);
        assert_eq!(peek(&f).unwrap(), (2, 5));
        assert_eq!(unframe(&f, 2, 5).unwrap(), text);
        // A deflated body cut short is an error, never a panic or a partial payload.
        assert!(matches!(
            unframe(&f[..f.len() - 3], 2, 5),
            Err(DecodeError::Compression(_))
        ));
    }
}

//! The consistency check's second step (`/v1/check`): per-document heads of the buckets that differ,
//! and what to send, want or remove.

use super::{
    any_signed, read_doc_signatures, read_docs, read_heads, read_ids, write_doc_signatures,
    write_docs, write_heads, write_ids, DocChanges, Heads, Message, SIGNED,
};
use crate::codec::{DecodeError, Reader, Writer};
use uuid::Uuid;

/// `POST /v1/check`: the device's documents in the buckets that differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRequest {
    /// Buckets covered.
    pub buckets: Vec<u8>,
    /// Every document the device holds in those buckets, with its heads.
    pub docs: Vec<(Uuid, Heads)>,
    /// The device keeps change signatures: send them with what it lacks (a trailing byte, absent
    /// from older devices).
    pub signatures: bool,
}

impl Message for CheckRequest {
    const KIND: u8 = 9;
    fn write(&self, w: &mut Writer) {
        w.bytes(&self.buckets);
        w.varint(self.docs.len() as u64);
        for (id, h) in &self.docs {
            w.uuid(id);
            write_heads(w, h);
        }
        if self.signatures {
            w.u8(1);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let buckets = r.bytes()?.to_vec();
        let n = r.count(17)?;
        let mut docs = Vec::with_capacity(n);
        for _ in 0..n {
            docs.push((r.uuid()?, read_heads(r)?));
        }
        let signatures = r.remaining() > 0 && r.u8()? == 1;
        Ok(CheckRequest {
            buckets,
            docs,
            signatures,
        })
    }
}

/// What to repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResponse {
    /// Documents the device lacks or is behind on (full compact saves).
    pub send: Vec<DocChanges>,
    /// Documents the registry lacks or is behind on: push them whole.
    pub want: Vec<Uuid>,
    /// Documents the device holds that are not in its scope.
    pub remove: Vec<Uuid>,
    /// Whether `send` was cut short by the size cap (check again).
    pub more: bool,
}

impl Message for CheckResponse {
    const KIND: u8 = 10;
    fn write(&self, w: &mut Writer) {
        write_docs(w, &self.send);
        write_ids(w, &self.want);
        write_ids(w, &self.remove);
        let signed = any_signed(&self.send);
        w.u8(u8::from(self.more) | if signed { SIGNED } else { 0 });
        if signed {
            write_doc_signatures(w, &self.send);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut send = read_docs(r)?;
        let want = read_ids(r)?;
        let remove = read_ids(r)?;
        let flags = r.u8()?;
        let more = flags & 1 != 0;
        if flags & SIGNED != 0 {
            read_doc_signatures(r, &mut send)?;
        }
        Ok(CheckResponse {
            send,
            want,
            remove,
            more,
        })
    }
}

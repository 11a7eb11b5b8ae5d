//! Reading a form and the files that travel with it from disk, as ODK Collect lays them out: the
//! form file (`household.xlsx`), and its attachments in a `household-media/` folder beside it or
//! beside the form itself. Used by `shumari form check` and the app's form preview, so both find
//! the same files.
//!
//! Which files are read: every file the form names (`pulldata()` sources, `_from_file` lists,
//! `media::*` files; see `shumari_forms::attachments`), from the media folder first, then from the
//! form's folder; and every other file in the media folder (so one that no row uses is reported).

use std::io;
use std::path::{Path, PathBuf};

/// A form source and its attachments, as bytes.
#[derive(Debug, Clone)]
pub struct FormFiles {
    /// The form file's name (`household.xlsx`): it gives the form's id when the settings do not.
    pub name: String,
    /// The form file's bytes.
    pub bytes: Vec<u8>,
    /// Attachments, file name to bytes, sorted by name.
    pub attachments: Vec<(String, Vec<u8>)>,
}

impl FormFiles {
    /// The attachments as `shumari_forms` takes them.
    pub fn attachment_refs(&self) -> Vec<shumari_forms::Attachment<'_>> {
        self.attachments
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect()
    }
}

/// The `<stem>-media` folder beside a form file.
pub fn media_dir(form: &Path) -> PathBuf {
    let stem = form
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    form.with_file_name(format!("{stem}-media"))
}

/// Reads a form file and its attachments. Only the form file must exist: a file the form names
/// and that is not found is left out (the engine warns about it at the row that needs it).
pub fn read(form: &Path) -> io::Result<FormFiles> {
    let bytes = std::fs::read(form)?;
    let name = form
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let media = media_dir(form);
    let mut attachments: Vec<(String, Vec<u8>)> = Vec::new();
    if media.is_dir() {
        for entry in std::fs::read_dir(&media)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                let file = entry.file_name().to_string_lossy().into_owned();
                attachments.push((file, std::fs::read(entry.path())?));
            }
        }
    }
    // The names the form gives; a form that does not load names none (its errors say why).
    let needed: Vec<String> = shumari_forms::Form::load(&name, &bytes)
        .map(|l| {
            l.form
                .attachment_needs()
                .into_iter()
                .map(|n| n.file)
                .collect()
        })
        .unwrap_or_default();
    for file in needed {
        // A bare file name only: a form must not make the reader leave its folders.
        let plain = Path::new(&file).file_name().map(|f| f == file.as_str()) == Some(true);
        if !plain || attachments.iter().any(|(n, _)| *n == file) {
            continue;
        }
        let beside = form.with_file_name(&file);
        if beside.is_file() {
            attachments.push((file, std::fs::read(beside)?));
        }
    }
    attachments.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(FormFiles {
        name,
        bytes,
        attachments,
    })
}

//! Questionnaires besides the household one (a meal centre's or a shelter's daily report):
//! publishing a version of a form to areas, the list of forms and their versions, and which
//! versions a tablet of given areas receives.
//!
//! - **Publish** ([`Registry::publish_form`]): the source (the TOML text format or an XLSForm
//!   workbook) is loaded by the forms crate; a form that does not load is refused with the forms
//!   crate's located errors (sheet, row, column), one per line. A version is never replaced:
//!   publishing the same source again only adds the areas it lacks; another source under a stored
//!   (form, version) is refused (raise the version). The household questionnaire's id is refused:
//!   households have their own pipes.
//! - **Reach** ([`Registry::forms_for_areas`]): a tablet receives every version published to an
//!   area that contains one of its areas or lies inside one, so a draft started with an older
//!   version can always be opened with that version. A pull names the versions the tablet holds
//!   already, and only the others are sent ([`Registry::forms_for_areas_lacking`]), so a quiet
//!   pull carries no form. There is no withdrawal: a version once published to an area stays
//!   published there, and a tablet keeps it.
//!
//! Publishing is an administrator's (the role table's `PublishForms`), or the registry's command
//! line; each publication is on the access trail.

use super::access_audit::{actor_of, AccessAction};
use super::programmes::may;
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::forms::FormRow;
use crate::storage::{Storage, User};
use serde::Serialize;
use sha2::{Digest, Sha256};
use shumari_domain::area::contains;
use shumari_domain::roles::Action;
use shumari_forms::{household_form, Form, FormError};
use shumari_proto::message::HeldForm;
use std::collections::{BTreeMap, HashSet};

/// Bytes a form's source may have (a questionnaire with its choice lists is far smaller).
pub const MAX_FORM_SOURCE: usize = 2 << 20;

/// One version of a form, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormVersion {
    /// The form's id.
    pub form_id: String,
    /// The version.
    pub version: String,
    /// Its title.
    pub title: String,
    /// The areas it is published to.
    pub areas: Vec<String>,
    /// SHA-256 of its source, hex.
    pub checksum: String,
    /// When (ms since epoch).
    pub published_at: i64,
    /// Who.
    pub published_by: String,
}

/// A form with every version published, newest last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormInfo {
    /// The form's id.
    pub form_id: String,
    /// The newest version's title.
    pub title: String,
    /// Every version, oldest first (by the forms crate's version order).
    pub versions: Vec<FormVersion>,
}

/// What a publication did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    /// The form's id.
    pub form_id: String,
    /// The version.
    pub version: String,
    /// `false`: this version was published before with this very source (only areas were added).
    pub new_version: bool,
    /// Every area the version is published to now.
    pub areas: Vec<String>,
    /// The forms crate's warnings (what it read past), located like its errors.
    pub warnings: Vec<String>,
}

/// A version of a form a tablet receives: its source as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSource {
    /// The form's id.
    pub form_id: String,
    /// The version.
    pub version: String,
    /// Its title.
    pub title: String,
    /// The file name it was published as (tells TOML from a workbook).
    pub file_name: String,
    /// The source.
    pub source: Vec<u8>,
}

/// The forms crate's refusal as one message, one located problem per line.
pub fn refusal(e: &FormError) -> String {
    match e {
        FormError::Invalid(issues) => {
            let mut s = String::from("the form does not load:");
            for i in issues {
                s.push_str("\n  ");
                s.push_str(&i.to_string());
            }
            s
        }
        other => format!("the form does not load: {other}"),
    }
}

/// Reads a stored version's source (the registry checked it when it was published).
pub(super) fn parse(row: &FormRow) -> Result<Form> {
    Form::load(&row.file_name, &row.source)
        .map(|l| l.form)
        .map_err(|e| RegistryError::Internal(refusal(&e)))
}

/// Whether a form published to `published` reaches a tablet of `areas`: one contains the other.
fn reaches(published: &str, areas: &[String]) -> bool {
    areas
        .iter()
        .any(|a| contains(a, published) || contains(published, a))
}

impl<S: Storage> Registry<S> {
    /// Publishes a form's source to `areas`, as `user` (an administrator) or, with `None`, as the
    /// registry's command line.
    pub async fn publish_form(
        &self,
        user: Option<&User>,
        file_name: &str,
        source: &[u8],
        areas: &[String],
    ) -> Result<Published> {
        if let Some(u) = user {
            may(u, Action::PublishForms)?;
        }
        if source.len() > MAX_FORM_SOURCE {
            return Err(RegistryError::TooLarge(MAX_FORM_SOURCE));
        }
        if areas.is_empty() {
            return Err(RegistryError::BadRequest(
                "name at least one area to publish the form to".into(),
            ));
        }
        for a in areas {
            let known = match user {
                Some(u) => self.scope(u).contains(a),
                None => self.areas.recognises(a),
            };
            if !known {
                return Err(RegistryError::Forbidden(format!(
                    "`{a}` is not an area you may publish to"
                )));
            }
        }
        let loaded =
            Form::load(file_name, source).map_err(|e| RegistryError::BadRequest(refusal(&e)))?;
        let settings = &loaded.form.settings;
        if settings.form_id == household_form().settings.form_id {
            return Err(RegistryError::BadRequest(format!(
                "`{}` is the household questionnaire's id; give this form its own `form_id`",
                settings.form_id
            )));
        }
        let checksum = hex::encode(Sha256::digest(source));
        if let Some(old) = self
            .storage
            .form_version(&settings.form_id, &settings.version)
            .await?
        {
            if old.checksum != checksum {
                return Err(RegistryError::BadRequest(format!(
                    "form `{}` version `{}` is already published with other content; give the new form a new version",
                    settings.form_id, settings.version
                )));
            }
        }
        let row = FormRow {
            form_id: settings.form_id.clone(),
            version: settings.version.clone(),
            title: settings
                .form_title
                .clone()
                .unwrap_or_else(|| settings.form_id.clone()),
            file_name: file_name.to_string(),
            source: source.to_vec(),
            checksum,
            published_at: now_ms(),
            published_by: actor_of(user).to_string(),
        };
        self.record_access(
            AccessAction::FormPublish,
            actor_of(user),
            Some(&row.form_id),
            Some(format!("version={} areas={}", row.version, areas.join(","))),
        )
        .await?;
        let mut areas = areas.to_vec();
        areas.sort();
        areas.dedup();
        let new_version = self.storage.put_form(&row, &areas).await?;
        let now_in: Vec<String> = self
            .storage
            .form_publications()
            .await?
            .into_iter()
            .filter(|(f, v, _)| *f == row.form_id && *v == row.version)
            .map(|(_, _, a)| a)
            .collect();
        Ok(Published {
            form_id: row.form_id,
            version: row.version,
            new_version,
            areas: now_in,
            warnings: loaded.warnings.iter().map(ToString::to_string).collect(),
        })
    }

    /// Every form with its versions and their areas; a user sees the forms published to an area
    /// of theirs (or around one), the command line (`None`) every form.
    pub async fn forms(&self, user: Option<&User>) -> Result<Vec<FormInfo>> {
        let mut areas: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (f, v, a) in self.storage.form_publications().await? {
            areas.entry((f, v)).or_default().push(a);
        }
        let mut out: Vec<FormInfo> = Vec::new();
        for row in self.storage.forms().await? {
            let published = areas
                .remove(&(row.form_id.clone(), row.version.clone()))
                .unwrap_or_default();
            if let Some(u) = user {
                if !published.iter().any(|p| reaches(p, &u.areas)) {
                    continue;
                }
            }
            let version = FormVersion {
                form_id: row.form_id.clone(),
                version: row.version,
                title: row.title.clone(),
                areas: published,
                checksum: row.checksum,
                published_at: row.published_at,
                published_by: row.published_by,
            };
            match out.last_mut() {
                Some(f) if f.form_id == row.form_id => f.versions.push(version),
                _ => out.push(FormInfo {
                    form_id: row.form_id,
                    title: row.title,
                    versions: vec![version],
                }),
            }
        }
        for f in &mut out {
            f.versions
                .sort_by(|a, b| shumari_forms::compare_versions(&a.version, &b.version));
            if let Some(v) = f.versions.last() {
                f.title = v.title.clone();
            }
        }
        Ok(out)
    }

    /// Every version of every form that reaches a tablet of `areas`, with its source, by form id
    /// and version.
    pub async fn forms_for_areas(&self, areas: &[String]) -> Result<Vec<FormSource>> {
        self.forms_for_areas_lacking(areas, &[]).await
    }

    /// The versions [`Registry::forms_for_areas`] gives, less those in `held` (what the tablet
    /// holds already; their sources are not read).
    pub async fn forms_for_areas_lacking(
        &self,
        areas: &[String],
        held: &[HeldForm],
    ) -> Result<Vec<FormSource>> {
        let held: HashSet<(&str, &str)> = held
            .iter()
            .map(|h| (h.form_id.as_str(), h.version.as_str()))
            .collect();
        let mut wanted: Vec<(String, String)> = self
            .storage
            .form_publications()
            .await?
            .into_iter()
            .filter(|(f, v, a)| reaches(a, areas) && !held.contains(&(f.as_str(), v.as_str())))
            .map(|(f, v, _)| (f, v))
            .collect();
        wanted.sort();
        wanted.dedup();
        let mut out = Vec::with_capacity(wanted.len());
        for (f, v) in wanted {
            if let Some(row) = self.storage.form_version(&f, &v).await? {
                out.push(FormSource {
                    form_id: row.form_id,
                    version: row.version,
                    title: row.title,
                    file_name: row.file_name,
                    source: row.source,
                });
            }
        }
        Ok(out)
    }

    /// One version of a form, loaded (`None`: not published).
    pub async fn form(&self, form_id: &str, version: &str) -> Result<Option<Form>> {
        match self.storage.form_version(form_id, version).await? {
            Some(row) => parse(&row).map(Some),
            None => Ok(None),
        }
    }
}

impl<S: Storage> Registry<S> {
    /// The forms a tablet of `areas` that holds `held` receives, as the pull carries them.
    pub(super) async fn wire_forms(
        &self,
        areas: &[String],
        held: &[HeldForm],
    ) -> Result<Vec<shumari_proto::message::PublishedForm>> {
        Ok(self
            .forms_for_areas_lacking(areas, held)
            .await?
            .into_iter()
            .map(|f| shumari_proto::message::PublishedForm {
                form_id: f.form_id,
                version: f.version,
                title: f.title,
                file_name: f.file_name,
                source: f.source,
            })
            .collect())
    }
}

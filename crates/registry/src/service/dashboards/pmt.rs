//! The PMT distribution of the households a user may read: scored households per 1-point bucket,
//! with the thresholds of the model in force drawn over it.

use super::may_view;
use crate::error::{RegistryError, Result};
use crate::service::browse::areas_for;
use crate::service::Registry;
use crate::storage::{Storage, User};
use shumari_forms::pmt::{pmt_model, PmtModel};

/// Buckets of the histogram: scores 0, 1, ..., 99 and 100 (a score of 100).
pub const BUCKETS: usize = 101;

/// A line drawn over the histogram: a programme's cut-off.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The programme's English label (with "disability" for its higher cut-off).
    pub label_en: String,
    /// Its Urdu label.
    pub label_ur: String,
    /// The score at or below which a household is eligible.
    pub score: f64,
}

/// Scored households per bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct PmtHistogram {
    /// The area (`None`: the user's areas).
    pub area: Option<String>,
    /// Households per bucket, [`BUCKETS`] of them.
    pub buckets: Vec<u64>,
    /// The model's thresholds.
    pub thresholds: Vec<Threshold>,
    /// The model in force.
    pub model_version: String,
}

impl PmtHistogram {
    /// Scored households in all.
    pub fn scored(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

impl<S: Storage> Registry<S> {
    /// The PMT distribution of `area` (`None`: the user's areas). An area outside the user's
    /// areas is "not found".
    pub async fn pmt_histogram(&self, user: &User, area: Option<&str>) -> Result<PmtHistogram> {
        may_view(user)?;
        if area.is_some_and(|a| !self.scope(user).contains(a)) {
            return Err(RegistryError::NotFound("area".into()));
        }
        let mut buckets = vec![0u64; BUCKETS];
        for a in areas_for(user, area) {
            for b in self.storage.pmt_buckets_under(&a).await? {
                buckets[usize::from(b.bucket).min(BUCKETS - 1)] += b.households;
            }
        }
        let model = self.dashboard_model().await?;
        let thresholds = model
            .programmes
            .iter()
            .flat_map(|p| {
                let mut v = vec![Threshold {
                    label_en: p.label_en.clone(),
                    label_ur: p.label_ur.clone(),
                    score: p.threshold,
                }];
                if let Some(d) = p.disability_threshold {
                    v.push(Threshold {
                        label_en: format!("{} (disability)", p.label_en),
                        label_ur: format!("{} (معذوری)", p.label_ur),
                        score: d,
                    });
                }
                v
            })
            .collect();
        Ok(PmtHistogram {
            area: area.map(str::to_string),
            buckets,
            thresholds,
            model_version: model.model_version,
        })
    }

    /// The model in force as stored (the shipped one when none was installed).
    async fn dashboard_model(&self) -> Result<PmtModel> {
        match self.storage.current_model().await? {
            Some((_, source)) => PmtModel::from_toml_str(&source)
                .map_err(|e| RegistryError::Internal(format!("the stored PMT model: {e}"))),
            None => Ok(pmt_model().clone()),
        }
    }
}

//! [`PaymentStore`] on whichever backend an [`AnyStorage`] is.

use super::{BankFileRow, CycleRow, FigureRow, PaymentRow, PaymentStore, ResultUpdate};
use crate::storage::any::AnyStorage;
use crate::storage::Result;

/// Calls the same method on whichever backend this is.
macro_rules! delegate {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            AnyStorage::Sqlite(s) => s.$method($($arg),*).await,
            AnyStorage::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

impl PaymentStore for AnyStorage {
    async fn insert_cycle(&self, cycle: &CycleRow, payments: Vec<PaymentRow>) -> Result<bool> {
        delegate!(self.insert_cycle(cycle, payments))
    }

    async fn payment_cycle(&self, id: &str) -> Result<Option<CycleRow>> {
        delegate!(self.payment_cycle(id))
    }

    async fn payment_cycles(&self) -> Result<Vec<CycleRow>> {
        delegate!(self.payment_cycles())
    }

    async fn approve_payment_cycle(&self, id: &str, by: &str, at: i64) -> Result<bool> {
        delegate!(self.approve_payment_cycle(id, by, at))
    }

    async fn cycle_districts(&self, cycle_id: &str) -> Result<Vec<String>> {
        delegate!(self.cycle_districts(cycle_id))
    }

    async fn cycle_payments(
        &self,
        cycle_id: &str,
        district: Option<&str>,
    ) -> Result<Vec<PaymentRow>> {
        delegate!(self.cycle_payments(cycle_id, district))
    }

    async fn cycle_figures(
        &self,
        cycle_id: &str,
        area: &str,
        district: Option<&str>,
    ) -> Result<Vec<FigureRow>> {
        delegate!(self.cycle_figures(cycle_id, area, district))
    }

    async fn payments_by_reference(&self, references: &[String]) -> Result<Vec<PaymentRow>> {
        delegate!(self.payments_by_reference(references))
    }

    async fn payments_under(
        &self,
        area: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<PaymentRow>> {
        delegate!(self.payments_under(area, after, limit))
    }

    async fn payments_of_household(&self, household_id: &str) -> Result<Vec<PaymentRow>> {
        delegate!(self.payments_of_household(household_id))
    }

    async fn bank_file(&self, sha256: &str) -> Result<Option<BankFileRow>> {
        delegate!(self.bank_file(sha256))
    }

    async fn record_bank_file(
        &self,
        file: &BankFileRow,
        updates: Vec<ResultUpdate>,
    ) -> Result<bool> {
        delegate!(self.record_bank_file(file, updates))
    }
}

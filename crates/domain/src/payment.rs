//! What a programme owes one household for one instalment: the line a payment cycle is made of.
//!
//! The programmes feature computes these (eligibility, enrolment and the entitlement rules of the
//! programme's file); the payments feature turns them into a cycle's payment list, sends it to the
//! bank and reconciles the bank's answer. This type is the whole contract between the two.

use crate::money::Paisa;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One household's entitlement for one instalment of a programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPayment {
    /// The household.
    pub household_id: Uuid,
    /// Its reference number (what the family's slip and the bank's file show).
    pub reference: String,
    /// Its area code (the payment list is cut per district from it).
    pub area: String,
    /// The member the money is paid to (the programme's payee rule chose them).
    pub payee_member: Uuid,
    /// The payee's name.
    pub payee_name: String,
    /// The payee's CNIC, 13 digits without dashes.
    pub payee_cnic: String,
    /// The amount.
    pub amount: Paisa,
    /// How the amount was reached, in plain words ("2 children in primary school: 2 x Rs 2,500").
    pub basis: String,
}

//! Households and members as the standard's JSON-LD records (`Group`, `Member` of
//! `https://schema.spdci.org/extensions/social/v1/`): identifiers, names, sex, birth date, the
//! household's place (its area code and GPS point), its PMT score as `poverty_score` (0 poorest to
//! 100, `poverty_score_type` naming the model), its size and roster. Answers not named by the
//! standard stay out: a record carries what another social-protection system needs to match and
//! target, not the questionnaire.

use serde_json::{json, Value};
use shumari_domain::{Household, Member};
use shumari_registry::service::RegistryScore;

fn context() -> Value {
    json!({
        "@vocab": "https://schema.spdci.org/extensions/social/v1/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "schema": "http://schema.org/",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#"
    })
}

fn identifiers(m: &Member) -> Vec<Value> {
    m.id_number
        .iter()
        .map(|n| {
            // Adults hold a CNIC, children a B-form number: the same 13 digits and index.
            json!({"@type": "Identifier", "identifier_type": "CNIC", "identifier_value": n.digits()})
        })
        .collect()
}

fn person(m: &Member) -> Value {
    let mut p = json!({
        "@type": "SRPerson",
        "identifier": identifiers(m),
        "name": {"@type": "Name", "given_name": m.name},
        "sex": m.sex.as_str(),
    });
    if let Some(d) = m.dob {
        p["birth_date"] = d.format("%Y-%m-%d").to_string().into();
    } else if let Some(a) = m.age {
        p["age"] = a.into();
    }
    p
}

/// A member as a `Member` record of household `h`.
pub fn member_record(m: &Member, h: &Household) -> Value {
    json!({
        "@context": context(),
        "@type": "Member",
        "@id": format!("urn:shumari:member:{}", m.id),
        "member_identifier": [{"@type": "Identifier", "identifier_type": "member_id", "identifier_value": m.id.to_string()}],
        "demographic_info": person(m),
        "relationship_head": m.relation.as_str(),
        "group_identifier": [{"@type": "Identifier", "identifier_type": "household_reference", "identifier_value": h.reference}],
    })
}

fn member_entry(m: &Member) -> Value {
    json!({
        "@type": "Member",
        "@id": format!("urn:shumari:member:{}", m.id),
        "member_identifier": [{"@type": "Identifier", "identifier_type": "member_id", "identifier_value": m.id.to_string()}],
        "demographic_info": person(m),
        "relationship_head": m.relation.as_str(),
    })
}

/// A household as a `Group` record, with its registry score when it has one.
pub fn group_record(h: &Household, pmt: Option<&RegistryScore>) -> Value {
    let mut place = json!({"@type": "Place", "area_code": h.area});
    if let Some(g) = &h.gps {
        place["geo"] = json!({"@type": "GeoCoordinates", "latitude": g.lat, "longitude": g.lon});
    }
    let mut g = json!({
        "@context": context(),
        "@type": "Group",
        "@id": format!("urn:shumari:household:{}", h.id),
        "group_identifier": [{"@type": "Identifier", "identifier_type": "household_reference", "identifier_value": h.reference}],
        "group_type": "household",
        "place": place,
        "group_size": h.members.len(),
        "member_list": h.members.iter().map(member_entry).collect::<Vec<_>>(),
        "registration_date": h.created_at.to_rfc3339(),
        "last_updated": h.updated_at.to_rfc3339(),
        "additional_attributes": [{"status": h.status.as_str()}],
    });
    if let Some(head) = h.head() {
        g["group_head_info"] = member_entry(head);
    }
    if let Some(p) = pmt {
        g["poverty_score"] = p.score.into();
        g["poverty_score_type"] = format!("pmt:{}", p.model_version).into();
    }
    g
}

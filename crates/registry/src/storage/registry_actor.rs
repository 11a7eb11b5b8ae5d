//! The registry's own automerge actor as a row (migration V8): stored once, by whichever process
//! first offers a candidate, and read by every process after that. Why the registry has an actor,
//! and what it writes with it, is the service's (`service/review.rs`).

/// SQLite: stores `candidate` unless an actor is stored, and returns the stored one.
pub(super) fn sqlite(
    c: &rusqlite::Connection,
    candidate: &[u8],
    now: i64,
) -> super::Result<Vec<u8>> {
    c.prepare_cached(
        "INSERT INTO registry_actor (id, actor, created_at) VALUES (1, ?1, ?2) ON CONFLICT (id) DO NOTHING",
    )?
    .execute(rusqlite::params![candidate, now])?;
    Ok(
        c.prepare_cached("SELECT actor FROM registry_actor WHERE id = 1")?
            .query_row([], |r| r.get(0))?,
    )
}

/// PostgreSQL: the same.
pub(super) async fn postgres(
    c: &tokio_postgres::Client,
    candidate: &[u8],
    now: i64,
) -> super::Result<Vec<u8>> {
    c.execute(
        "INSERT INTO registry_actor (id, actor, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING",
        &[&candidate, &now],
    )
    .await?;
    Ok(
        c.query_one("SELECT actor FROM registry_actor WHERE id = 1", &[])
            .await?
            .get(0),
    )
}

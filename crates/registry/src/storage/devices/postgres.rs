//! Device rows on PostgreSQL (see the module above for what the columns mean).

use super::{DeviceRow, DeviceTokens, Disabled, TokenRecord, UserRow};
use crate::storage::postgres::user_with;
use crate::storage::{role_of, DeviceAuth, Result, User};
use tokio_postgres::{Client, GenericClient};

/// The device whose current or replaced token hashes to `hash`.
pub(in crate::storage) async fn by_token<C: GenericClient>(
    c: &C,
    hash: [u8; 32],
) -> Result<Option<TokenRecord>> {
    let Some(row) = c
        .query_opt(
            "SELECT d.id, d.user_id, coalesce(d.token_issued_at, d.created_at), d.revoked_at,
                    u.disabled_at, d.token_hash <> $1, d.prev_token_hash IS NOT NULL, d.last_seen_at
               FROM devices d JOIN users u ON u.id = d.user_id
              WHERE d.token_hash = $1 OR d.prev_token_hash = $1",
            &[&hash.as_slice()],
        )
        .await?
    else {
        return Ok(None);
    };
    let (device_id, user_id): (String, String) = (row.get(0), row.get(1));
    Ok(user_with(c, &user_id).await?.map(|user| TokenRecord {
        auth: DeviceAuth { device_id, user },
        issued_at: row.get(2),
        revoked_at: row.get(3),
        user_disabled_at: row.get(4),
        by_previous: row.get(5),
        previous_kept: row.get(6),
        last_seen_at: row.get(7),
    }))
}

/// Records that the device was seen at `now`, and forgets its replaced token when asked.
pub(in crate::storage) async fn seen(
    c: &Client,
    device_id: &str,
    forget_previous: bool,
    now: i64,
) -> Result<()> {
    c.execute(
        "UPDATE devices SET last_seen_at = $2,
                prev_token_hash = CASE WHEN $3 THEN NULL ELSE prev_token_hash END
          WHERE id = $1",
        &[&device_id, &now, &forget_previous],
    )
    .await?;
    Ok(())
}

/// Gives a device a new token; the one it authenticated with stays valid until the new one is used.
pub(in crate::storage) async fn rotate(
    c: &Client,
    device_id: &str,
    used: [u8; 32],
    new: [u8; 32],
    now: i64,
) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE devices SET token_hash = $3, prev_token_hash = $2, token_issued_at = $4
              WHERE id = $1 AND revoked_at IS NULL AND (token_hash = $2 OR prev_token_hash = $2)",
            &[&device_id, &used.as_slice(), &new.as_slice(), &now],
        )
        .await?;
    Ok(n == 1)
}

fn hash32(b: &[u8]) -> [u8; 32] {
    <[u8; 32]>::try_from(b).unwrap_or([0; 32])
}

/// The token hashes of the devices of `user_ids`.
pub(in crate::storage) async fn tokens(
    c: &Client,
    user_ids: &[String],
) -> Result<Vec<DeviceTokens>> {
    let rows = c
        .query(
            "SELECT id, user_id, token_hash, prev_token_hash, revoked_at FROM devices
              WHERE user_id = ANY($1) ORDER BY created_at, id",
            &[&user_ids],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| DeviceTokens {
            device_id: r.get(0),
            user_id: r.get(1),
            current: hash32(r.get::<_, &[u8]>(2)),
            previous: r.get::<_, Option<&[u8]>>(3).map(hash32),
            revoked_at: r.get(4),
        })
        .collect())
}

/// Every device, oldest enrollment first.
pub(in crate::storage) async fn list(c: &Client) -> Result<Vec<DeviceRow>> {
    Ok(c.query(
        "SELECT d.id, d.user_id, d.label, d.created_at, coalesce(d.token_issued_at, d.created_at),
                    d.last_seen_at, d.revoked_at, u.disabled_at
               FROM devices d JOIN users u ON u.id = d.user_id
              ORDER BY d.created_at, d.id",
        &[],
    )
    .await?
    .iter()
    .map(|r| DeviceRow {
        id: r.get(0),
        user_id: r.get(1),
        label: r.get(2),
        enrolled_at: r.get(3),
        token_issued_at: r.get(4),
        last_seen_at: r.get(5),
        revoked_at: r.get(6),
        user_disabled_at: r.get(7),
    })
    .collect())
}

/// Revokes a device (a second revocation keeps the first time); `false` when there is no such device.
pub(in crate::storage) async fn revoke(c: &Client, device_id: &str, now: i64) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1",
            &[&device_id, &now],
        )
        .await?;
    Ok(n == 1)
}

/// Disables a user and cancels their unused enrollment codes, in one transaction.
pub(in crate::storage) async fn disable_user(
    c: &mut Client,
    user_id: &str,
    now: i64,
) -> Result<Option<Disabled>> {
    let tx = c.transaction().await?;
    let n = tx
        .execute(
            "UPDATE users SET disabled_at = coalesce(disabled_at, $2) WHERE id = $1",
            &[&user_id, &now],
        )
        .await?;
    if n == 0 {
        return Ok(None);
    }
    let codes = tx
        .execute(
            "UPDATE enroll_codes SET expires_at = $2
              WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
            &[&user_id, &now],
        )
        .await?;
    let devices: i64 = tx
        .query_one(
            "SELECT count(*) FROM devices WHERE user_id = $1 AND revoked_at IS NULL",
            &[&user_id],
        )
        .await?
        .get(0);
    tx.commit().await?;
    Ok(Some(Disabled {
        devices: devices as u64,
        codes,
    }))
}

/// When a user was disabled: `None` when there is no such user.
pub(in crate::storage) async fn user_disabled_at(
    c: &Client,
    user_id: &str,
) -> Result<Option<Option<i64>>> {
    Ok(
        c.query_opt("SELECT disabled_at FROM users WHERE id = $1", &[&user_id])
            .await?
            .map(|r| r.get(0)),
    )
}

/// Every user with their areas, by name then id.
pub(in crate::storage) async fn users(c: &Client) -> Result<Vec<UserRow>> {
    let mut areas: std::collections::HashMap<String, Vec<String>> = Default::default();
    for r in c
        .query(
            "SELECT user_id, area FROM user_areas ORDER BY user_id, area COLLATE \"C\"",
            &[],
        )
        .await?
    {
        areas.entry(r.get(0)).or_default().push(r.get(1));
    }
    let mut out = Vec::new();
    for r in c
        .query(
            "SELECT id, name, role, disabled_at FROM users ORDER BY name, id",
            &[],
        )
        .await?
    {
        let id: String = r.get(0);
        out.push(UserRow {
            user: User {
                areas: areas.remove(&id).unwrap_or_default(),
                name: r.get(1),
                role: role_of(r.get(2))?,
                id,
            },
            disabled_at: r.get(3),
        });
    }
    Ok(out)
}

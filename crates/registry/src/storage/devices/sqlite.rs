//! Device rows on SQLite (see the module above for what the columns mean).

use super::{DeviceRow, DeviceTokens, Disabled, TokenRecord, UserRow};
use crate::storage::sqlite::user_with;
use crate::storage::{role_of, DeviceAuth, Result, User};
use rusqlite::{params, Connection, OptionalExtension};

/// The device whose current or replaced token hashes to `hash`.
pub(in crate::storage) fn by_token(c: &Connection, hash: [u8; 32]) -> Result<Option<TokenRecord>> {
    let row = c
        .prepare_cached(
            "SELECT d.id, d.user_id, coalesce(d.token_issued_at, d.created_at), d.revoked_at,
                    u.disabled_at, d.token_hash <> ?1, d.prev_token_hash IS NOT NULL, d.last_seen_at
               FROM devices d JOIN users u ON u.id = d.user_id
              WHERE d.token_hash = ?1 OR d.prev_token_hash = ?1",
        )?
        .query_row([hash.to_vec()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .optional()?;
    let Some((device_id, user_id, issued_at, revoked_at, disabled, by_prev, kept, seen)) = row
    else {
        return Ok(None);
    };
    Ok(user_with(c, &user_id)?.map(|user| TokenRecord {
        auth: DeviceAuth { device_id, user },
        issued_at,
        revoked_at,
        user_disabled_at: disabled,
        by_previous: by_prev,
        previous_kept: kept,
        last_seen_at: seen,
    }))
}

/// Records that the device was seen at `now`, and forgets its replaced token when asked.
pub(in crate::storage) fn seen(
    c: &Connection,
    device_id: &str,
    forget_previous: bool,
    now: i64,
) -> Result<()> {
    c.prepare_cached(
        "UPDATE devices SET last_seen_at = ?2,
                prev_token_hash = CASE WHEN ?3 THEN NULL ELSE prev_token_hash END
          WHERE id = ?1",
    )?
    .execute(params![device_id, now, forget_previous])?;
    Ok(())
}

/// Gives a device a new token; the one it authenticated with stays valid until the new one is used.
pub(in crate::storage) fn rotate(
    c: &Connection,
    device_id: &str,
    used: [u8; 32],
    new: [u8; 32],
    now: i64,
) -> Result<bool> {
    let n = c
        .prepare_cached(
            "UPDATE devices SET token_hash = ?3, prev_token_hash = ?2, token_issued_at = ?4
              WHERE id = ?1 AND revoked_at IS NULL AND (token_hash = ?2 OR prev_token_hash = ?2)",
        )?
        .execute(params![device_id, used.to_vec(), new.to_vec(), now])?;
    Ok(n == 1)
}

/// Every device, oldest enrollment first.
pub(in crate::storage) fn list(c: &Connection) -> Result<Vec<DeviceRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT d.id, d.user_id, d.label, d.created_at, coalesce(d.token_issued_at, d.created_at),
                d.last_seen_at, d.revoked_at, u.disabled_at
           FROM devices d JOIN users u ON u.id = d.user_id
          ORDER BY d.created_at, d.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(DeviceRow {
            id: r.get(0)?,
            user_id: r.get(1)?,
            label: r.get(2)?,
            enrolled_at: r.get(3)?,
            token_issued_at: r.get(4)?,
            last_seen_at: r.get(5)?,
            revoked_at: r.get(6)?,
            user_disabled_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

fn hash32(b: Vec<u8>) -> [u8; 32] {
    <[u8; 32]>::try_from(b.as_slice()).unwrap_or([0; 32])
}

/// The token hashes of the devices of `user_ids`.
pub(in crate::storage) fn tokens(c: &Connection, user_ids: &[String]) -> Result<Vec<DeviceTokens>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, user_id, token_hash, prev_token_hash, revoked_at FROM devices
          WHERE user_id = ?1 ORDER BY created_at, id",
    )?;
    let mut out = Vec::new();
    for u in user_ids {
        let rows = stmt.query_map([u], |r| {
            Ok(DeviceTokens {
                device_id: r.get(0)?,
                user_id: r.get(1)?,
                current: hash32(r.get(2)?),
                previous: r.get::<_, Option<Vec<u8>>>(3)?.map(hash32),
                revoked_at: r.get(4)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// Revokes a device (a second revocation keeps the first time); `false` when there is no such device.
pub(in crate::storage) fn revoke(c: &Connection, device_id: &str, now: i64) -> Result<bool> {
    let n = c.execute(
        "UPDATE devices SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
        params![device_id, now],
    )?;
    Ok(n == 1)
}

/// Disables a user and cancels their unused enrollment codes, in one transaction.
pub(in crate::storage) fn disable_user(
    c: &mut Connection,
    user_id: &str,
    now: i64,
) -> Result<Option<Disabled>> {
    let tx = c.transaction()?;
    let n = tx.execute(
        "UPDATE users SET disabled_at = coalesce(disabled_at, ?2) WHERE id = ?1",
        params![user_id, now],
    )?;
    if n == 0 {
        return Ok(None);
    }
    let codes = tx.execute(
        "UPDATE enroll_codes SET expires_at = ?2
          WHERE user_id = ?1 AND used_at IS NULL AND expires_at > ?2",
        params![user_id, now],
    )?;
    let devices: i64 = tx.query_row(
        "SELECT count(*) FROM devices WHERE user_id = ?1 AND revoked_at IS NULL",
        [user_id],
        |r| r.get(0),
    )?;
    tx.commit()?;
    Ok(Some(Disabled {
        devices: devices as u64,
        codes: codes as u64,
    }))
}

/// When a user was disabled: `None` when there is no such user.
pub(in crate::storage) fn user_disabled_at(
    c: &Connection,
    user_id: &str,
) -> Result<Option<Option<i64>>> {
    Ok(c.query_row(
        "SELECT disabled_at FROM users WHERE id = ?1",
        [user_id],
        |r| r.get(0),
    )
    .optional()?)
}

/// Every user with their areas, by name then id.
pub(in crate::storage) fn users(c: &Connection) -> Result<Vec<UserRow>> {
    let mut areas: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut stmt =
        c.prepare_cached("SELECT user_id, area FROM user_areas ORDER BY user_id, area")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (id, area) = row?;
        areas.entry(id).or_default().push(area);
    }
    let mut stmt =
        c.prepare_cached("SELECT id, name, role, disabled_at FROM users ORDER BY name, id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<i64>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, role, disabled_at) = row?;
        out.push(UserRow {
            user: User {
                areas: areas.remove(&id).unwrap_or_default(),
                id,
                name,
                role: role_of(&role)?,
            },
            disabled_at,
        });
    }
    Ok(out)
}

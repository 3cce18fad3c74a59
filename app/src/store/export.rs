//! The whole content of a database as JSON — every table a person wrote into, users without their
//! password hashes, no sessions or login throttling — and its import into an empty database.
//! Export, import and export again give the same bytes.

use std::collections::BTreeMap;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde_json::{Map, Number, Value};

use super::StoreError;

/// Version of the export format.
pub const FORMAT: u64 = 1;

/// The exported tables, in an order that satisfies their foreign keys on import.
const TABLES: [&str; 21] = [
    "site",
    "site_texts",
    "users",
    "images",
    "documents",
    "cities",
    "city_texts",
    "tags",
    "tag_texts",
    "items",
    "item_texts",
    "item_cities",
    "item_tags",
    "revisions",
    "partnership_entries",
    "partnership_entry_texts",
    "partnership_entry_items",
    "partnership_revisions",
    "accessibility_statement",
    "barrier_reports",
    "audit_log",
];

/// Tables every new database starts with rows in (the default statement): an import replaces
/// them, and they do not make a database count as filled.
const DEFAULTS: [&str; 1] = ["accessibility_statement"];

/// What the export says about the tables it leaves out, for whoever reads or imports it.
const LEFT_OUT: &str = "Left out: passwords, sessions, login throttling and the limits on barrier \
reports (who sent how many, what the limits refused); and everything of federation (the \
portal's key pair, its followers, the portals it follows, the posts they sent, the delivery \
queue), which belongs to the running portal at its address. An imported portal makes a new key \
pair on first use, and partners follow it again.";

/// Columns that never leave the database.
const SECRET: [(&str, &str); 1] = [("users", "password_hash")];

/// What an imported account's password hash is set to: not a hash, so no password matches until
/// an admin sets one (`twincity user passwd`).
const NO_PASSWORD: &str = "!imported";

fn columns(conn: &Connection, table: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
    ))?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(names
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|c| !SECRET.contains(&(table, c.as_str())))
        .collect())
}

fn invalid(message: String) -> StoreError {
    StoreError::Unusable(format!("cannot import: {message}"))
}

/// Every row of every exported table, in primary-key order, as pretty-printed JSON.
pub fn export(conn: &Connection) -> Result<String, StoreError> {
    let mut tables = Map::new();
    for table in TABLES {
        let cols = columns(conn, table)?;
        let sql = format!("SELECT {} FROM {table} ORDER BY 1, 2", cols.join(", "));
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut object = Map::new();
            for (i, col) in cols.iter().enumerate() {
                let value = match row.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::from(n),
                    ValueRef::Real(x) => Number::from_f64(x).map_or(Value::Null, Value::Number),
                    ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => {
                        return Err(invalid(format!("{table}.{col} holds binary data")))
                    }
                };
                object.insert(col.clone(), value);
            }
            out.push(Value::Object(object));
        }
        tables.insert(table.to_owned(), Value::Array(out));
    }
    let mut document = Map::new();
    document.insert("format".into(), Value::from(FORMAT));
    document.insert("tables".into(), Value::Object(tables));
    document.insert("left_out".into(), Value::from(LEFT_OUT));
    serde_json::to_string_pretty(&Value::Object(document))
        .map_err(|e| StoreError::Task(e.to_string()))
}

/// Loads an export into `conn`, which must hold no content yet, in one transaction.
pub fn import(conn: &mut Connection, json: &str) -> Result<(), StoreError> {
    let document: Value =
        serde_json::from_str(json).map_err(|e| invalid(format!("not an export: {e}")))?;
    if document.get("format").and_then(Value::as_u64) != Some(FORMAT) {
        return Err(invalid(format!(
            "only format {FORMAT} exports can be imported"
        )));
    }
    let tables = document
        .get("tables")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the export has no tables".into()))?;
    let tx = conn.transaction()?;
    for table in TABLES.iter().filter(|t| !DEFAULTS.contains(t)) {
        let filled: bool =
            tx.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), [], |r| {
                r.get(0)
            })?;
        if filled {
            return Err(invalid(format!(
                "the database is not empty ({table} has rows)"
            )));
        }
    }
    for table in DEFAULTS {
        tx.execute(&format!("DELETE FROM {table}"), [])?;
    }
    for table in TABLES {
        let known = columns(&tx, table)?;
        let rows = tables
            .get(table)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for row in rows {
            let object = row
                .as_object()
                .ok_or_else(|| invalid(format!("a row of {table} is not an object")))?;
            let mut names: Vec<String> = Vec::new();
            let mut values: Vec<SqlValue> = Vec::new();
            for (col, value) in object {
                if !known.contains(col) {
                    return Err(invalid(format!("{table} has no column {col}")));
                }
                names.push(col.clone());
                values.push(match value {
                    Value::Null => SqlValue::Null,
                    Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
                    Value::Number(n) => match n.as_i64() {
                        Some(i) => SqlValue::Integer(i),
                        None => SqlValue::Real(n.as_f64().unwrap_or_default()),
                    },
                    Value::String(s) => SqlValue::Text(s.clone()),
                    _ => return Err(invalid(format!("{table}.{col} is not a plain value"))),
                });
            }
            if table == "users" {
                names.push("password_hash".into());
                values.push(SqlValue::Text(NO_PASSWORD.into()));
            }
            let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
            tx.execute(
                &format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    names.join(", "),
                    placeholders.join(", ")
                ),
                rusqlite::params_from_iter(values),
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// The number of rows per exported table, for a summary after an import.
pub fn counts(conn: &Connection) -> Result<BTreeMap<&'static str, i64>, StoreError> {
    TABLES
        .iter()
        .map(|t| {
            Ok((
                *t,
                conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::partnerships::{Detail, EntryText};
    use crate::store::testing::temp_db;
    use crate::store::{editor, partnerships, seed, users};

    #[test]
    fn export_import_export_is_identical_and_keeps_no_secrets() {
        let mut db = temp_db();
        seed::seed_if_empty(&mut db.conn).unwrap();
        seed::generate(&mut db.conn, 12).unwrap();
        let user =
            users::add_user(&db.conn, "olga", "Olga", Role::Admin, "$argon2id$secret").unwrap();
        users::create_session(&db.conn, user, "token").unwrap();
        let draft = editor::create_draft(
            &mut db.conn,
            crate::news::ItemKind::Event,
            crate::i18n::Lang::En,
            user,
        )
        .unwrap();
        let fields = crate::editor::ItemFields {
            title: "Dialogue, 2027 «édition»".into(),
            ..draft.fields.clone()
        };
        editor::save_item(
            &mut db.conn,
            draft.id,
            draft.version,
            &fields,
            user,
            crate::editor::RevisionNote::Edited,
        )
        .unwrap();
        let document = crate::partnerships::Document {
            hash: "ab".repeat(32),
            mime: "application/pdf".into(),
        };
        partnerships::insert_document(&mut db.conn, &document, 1234, user).unwrap();
        let news_slug: String = db
            .conn
            .query_row(
                "SELECT slug FROM items WHERE kind = 'news' LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let agreement = crate::partnerships::EntryInput {
            detail: Detail::Agreement(crate::partnerships::AgreementKind::Renewal),
            date: "2025-06-01".into(),
            end_date: Some("2030".into()),
            place: "Ruse".into(),
            people: "The mayors".into(),
            published: true,
            en: EntryText {
                body: "Renewed for five years".into(),
                ..EntryText::default()
            },
            ru: EntryText {
                body: "Продлено на пять лет".into(),
                ..EntryText::default()
            },
            news: vec![news_slug],
            document: Some(document.hash.clone()),
            photo: None,
        };
        partnerships::save_entry(&mut db.conn, "ruse", None, 0, &agreement, user).unwrap();
        crate::store::federation::keep_key(
            &db.conn,
            &crate::store::federation::StoredKey {
                private_pem: "-----BEGIN PRIVATE KEY-----\nsecret".into(),
                public_pem: "-----BEGIN PUBLIC KEY-----\npublic".into(),
            },
        )
        .unwrap();

        let first = export(&db.conn).unwrap();
        assert!(
            !first.contains("BEGIN PRIVATE KEY"),
            "the federation key stays"
        );
        assert!(
            first.contains("\"left_out\""),
            "the export says what it left out"
        );
        assert!(
            first.contains("Продлено на пять лет"),
            "partnership entries"
        );
        assert!(first.contains("\"partnership_revisions\""));
        assert!(
            !first.contains("argon2id") && !first.contains("token"),
            "no secrets, no sessions"
        );
        assert!(first.contains("Ковентри"), "texts in every language");
        let mut copy = temp_db();
        import(&mut copy.conn, &first).unwrap();
        assert_eq!(export(&copy.conn).unwrap(), first);
        assert_eq!(counts(&copy.conn).unwrap(), counts(&db.conn).unwrap());
        let found =
            crate::store::search::search(&copy.conn, crate::i18n::Lang::En, "Dialogue", 1, 10)
                .unwrap();
        assert!(
            found.is_some_and(|f| !f.hits.is_empty()),
            "the search index is rebuilt"
        );
        let creds = users::credentials(&copy.conn, "olga").unwrap().unwrap();
        assert!(!crate::auth::password::verify(
            "",
            Some(&creds.password_hash)
        ));
    }

    #[test]
    fn import_refuses_a_filled_database_and_foreign_documents() {
        let mut db = temp_db();
        seed::seed_if_empty(&mut db.conn).unwrap();
        let json = export(&db.conn).unwrap();
        assert!(
            import(&mut db.conn, &json).is_err(),
            "not into a filled database"
        );
        let mut empty = temp_db();
        assert!(import(&mut empty.conn, "{}").is_err());
        assert!(import(
            &mut empty.conn,
            r#"{"format":1,"tables":{"items":[{"nope":1}]}}"#
        )
        .is_err());
        assert!(import(&mut empty.conn, "not json").is_err());
        let fresh = counts(&temp_db().conn).unwrap();
        assert_eq!(counts(&empty.conn).unwrap(), fresh, "nothing half-imported");
    }
}

namespace MailGuard.Store.Sqlite;

/// <summary>
/// Versioned migrations, applied in order at start-up, each in its own transaction with its row in
/// schema_migrations. Never edit a shipped step: add the next one (issue 5's quarantine, findings
/// and audit tables come as version 2 and on). Times are Unix milliseconds (UTC).
/// </summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE messages (
                id             TEXT    NOT NULL PRIMARY KEY,
                mail_from      TEXT    NOT NULL,
                received_at    INTEGER NOT NULL,
                client_address TEXT,
                helo_name      TEXT,
                auth_identity  TEXT,
                size           INTEGER NOT NULL,
                flags          INTEGER NOT NULL,
                kind           INTEGER NOT NULL,
                inline_content INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE message_content (
                message_id TEXT NOT NULL PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
                data       BLOB NOT NULL
            );
            CREATE TABLE queue (
                id              INTEGER PRIMARY KEY,
                message_id      TEXT    NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                recipient       TEXT    NOT NULL,
                status          INTEGER NOT NULL,
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                lease_owner     TEXT,
                lease_until     INTEGER NOT NULL DEFAULT 0,
                last_reply      TEXT,
                updated_at      INTEGER NOT NULL
            );
            CREATE INDEX queue_due ON queue(status, next_attempt_at);
            CREATE INDEX queue_message ON queue(message_id);
            """),
        // Claims, completions and purges look a message's entries up by (message_id, status);
        // with the one-column index SQLite preferred queue_due and walked every due entry.
        (2, """
            DROP INDEX queue_message;
            CREATE INDEX queue_message ON queue(message_id, status);
            """),
        (3, """
            CREATE TABLE quarantine (
                message_id      TEXT    NOT NULL PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
                status          INTEGER NOT NULL,
                recipients      TEXT    NOT NULL,
                held_at         INTEGER NOT NULL,
                rule            TEXT,
                reason          TEXT,
                subject         TEXT,
                summary         TEXT,
                findings        TEXT    NOT NULL,
                decided_at      INTEGER,
                decided_by      TEXT,
                decision_reason TEXT
            );
            CREATE INDEX quarantine_status ON quarantine(status, held_at);
            CREATE TABLE audit_log (
                id         INTEGER PRIMARY KEY,
                at         INTEGER NOT NULL,
                actor      TEXT    NOT NULL,
                action     TEXT    NOT NULL,
                message_id TEXT,
                reason     TEXT,
                detail     TEXT
            );
            CREATE INDEX audit_message ON audit_log(message_id, id);
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """),
        // The review console (issue 6): accounts, API tokens (hashes only), and daily counts of
        // dispositions for the dashboard's chart. User names are stored lower-cased by the caller.
        (4, """
            CREATE TABLE console_users (
                name          TEXT    NOT NULL PRIMARY KEY,
                password_hash TEXT    NOT NULL,
                role          INTEGER NOT NULL,
                created_at    INTEGER NOT NULL,
                disabled      INTEGER NOT NULL DEFAULT 0,
                sessions_from INTEGER
            );
            CREATE TABLE api_tokens (
                id          TEXT    NOT NULL PRIMARY KEY,
                name        TEXT    NOT NULL,
                secret_hash TEXT    NOT NULL,
                role        INTEGER NOT NULL,
                created_by  TEXT    NOT NULL,
                created_at  INTEGER NOT NULL,
                revoked_at  INTEGER
            );
            CREATE TABLE decision_counts (
                day         TEXT    NOT NULL,
                disposition TEXT    NOT NULL,
                rule        TEXT    NOT NULL,
                count       INTEGER NOT NULL,
                PRIMARY KEY (day, disposition, rule)
            );
            """),
        // Token scopes (issue 16): 0 the review API as before, 1 the Outlook add-in's check API only.
        (5, """
            ALTER TABLE api_tokens ADD COLUMN scope INTEGER NOT NULL DEFAULT 0;
            """),
        // Password attempts (issue 13): one row per client address or hashed user name, counted by
        // an atomic upsert before each check.
        (6, """
            CREATE TABLE auth_attempts (
                key          TEXT    NOT NULL PRIMARY KEY,
                attempts     INTEGER NOT NULL,
                window_start INTEGER NOT NULL
            );
            CREATE INDEX auth_attempts_window ON auth_attempts(window_start);
            """),
        // Issue 15: the inspection result kept with the hold (matched rules, people, destinations,
        // masked previews; JSON, nothing unmasked), so the message page never inspects again, and
        // the audit log by action for the list's release-request marker and the dashboard.
        (7, """
            ALTER TABLE quarantine ADD COLUMN inspection TEXT;
            CREATE INDEX audit_action ON audit_log(action, at);
            """),
        // Issue 14: a tag's verdict fields, delivered above the spool file's bytes, so tagging a
        // message does not write a second copy of it.
        (8, """
            ALTER TABLE messages ADD COLUMN content_prefix BLOB;
            """),
    ];
}

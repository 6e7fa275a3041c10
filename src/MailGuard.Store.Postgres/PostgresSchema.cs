namespace MailGuard.Store.Postgres;

/// <summary>
/// Versioned migrations for the shared store, applied at start-up under an advisory lock so that
/// nodes starting together apply each step once. Same model as the SQLite schema (times are Unix
/// milliseconds from the store's TimeProvider, statuses the stored enum values); the differences
/// are PostgreSQL's: identity columns, bytea content for every message, a partial index for due
/// entries, and a trigger function for the append-only audit log. Never edit a shipped step.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Key for pg_advisory_xact_lock ("MGSCHEMA" as ASCII).</summary>
    public const long MigrationLockKey = 0x4D47534348454D41;

    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE messages (
                id             text   NOT NULL PRIMARY KEY,
                mail_from      text   NOT NULL,
                received_at    bigint NOT NULL,
                client_address text,
                helo_name      text,
                auth_identity  text,
                size           bigint NOT NULL,
                flags          int    NOT NULL,
                kind           int    NOT NULL
            );
            CREATE TABLE message_content (
                message_id text  NOT NULL PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
                data       bytea NOT NULL
            );
            CREATE TABLE queue (
                id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                message_id      text   NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                recipient       text   NOT NULL,
                status          int    NOT NULL,
                attempts        int    NOT NULL DEFAULT 0,
                next_attempt_at bigint NOT NULL,
                lease_owner     text,
                lease_until     bigint NOT NULL DEFAULT 0,
                last_reply      text,
                updated_at      bigint NOT NULL
            );
            -- Only queued entries are ever looked for by due time; finished ones stay out of the index.
            CREATE INDEX queue_due ON queue(next_attempt_at) WHERE status = 0;
            CREATE INDEX queue_message ON queue(message_id, status);
            CREATE INDEX queue_lease_owner ON queue(lease_owner) WHERE lease_owner IS NOT NULL;
            """),
        (2, """
            CREATE TABLE quarantine (
                message_id      text   NOT NULL PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
                status          int    NOT NULL,
                recipients      text[] NOT NULL,
                held_at         bigint NOT NULL,
                rule            text,
                reason          text,
                subject         text,
                summary         text,
                findings        text   NOT NULL,
                decided_at      bigint,
                decided_by      text,
                decision_reason text
            );
            CREATE INDEX quarantine_status ON quarantine(status, held_at);
            CREATE TABLE audit_log (
                id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at         bigint NOT NULL,
                actor      text   NOT NULL,
                action     text   NOT NULL,
                message_id text,
                reason     text,
                detail     text
            );
            CREATE INDEX audit_message ON audit_log(message_id, id);
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only';
            END
            $$;
            CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
            """),
        // The review console (issue 6): accounts, API tokens (hashes only), and daily counts of
        // dispositions for the dashboard's chart. User names are stored lower-cased by the caller.
        (3, """
            CREATE TABLE console_users (
                name          text    NOT NULL PRIMARY KEY,
                password_hash text    NOT NULL,
                role          int    NOT NULL,
                created_at    bigint NOT NULL,
                disabled      int    NOT NULL DEFAULT 0,
                sessions_from bigint
            );
            CREATE TABLE api_tokens (
                id          text    NOT NULL PRIMARY KEY,
                name        text    NOT NULL,
                secret_hash text    NOT NULL,
                role        int    NOT NULL,
                created_by  text    NOT NULL,
                created_at  bigint NOT NULL,
                revoked_at  bigint
            );
            CREATE TABLE decision_counts (
                day         text    NOT NULL,
                disposition text    NOT NULL,
                rule        text    NOT NULL,
                count       bigint NOT NULL,
                PRIMARY KEY (day, disposition, rule)
            );
            """),
        // Token scopes (issue 16): 0 the review API as before, 1 the Outlook add-in's check API only.
        (4, """
            ALTER TABLE api_tokens ADD COLUMN scope int NOT NULL DEFAULT 0;
            """),
        // Password attempts (issue 13), shared by every node: one row per client address or hashed
        // user name, counted by an atomic upsert before each check.
        (5, """
            CREATE TABLE auth_attempts (
                key          text   NOT NULL PRIMARY KEY,
                attempts     bigint NOT NULL,
                window_start bigint NOT NULL
            );
            CREATE INDEX auth_attempts_window ON auth_attempts(window_start);
            """),
        // Issue 15: the inspection result kept with the hold (matched rules, people, destinations,
        // masked previews; JSON, nothing unmasked), so the message page never inspects again, and
        // the audit log by action for the list's release-request marker and the dashboard.
        (6, """
            ALTER TABLE quarantine ADD COLUMN inspection text;
            CREATE INDEX audit_action ON audit_log(action, at);
            """),
    ];
}

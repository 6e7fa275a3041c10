namespace MailGuard.Host.Configuration;

/// <summary>The configuration sections `mailguard run` reads (ARCHITECTURE.md, "Configuration keys").</summary>
public sealed class MailGuardOptions
{
    public RelayOptions Relay { get; set; } = new();

    public DeliveryOptions Delivery { get; set; } = new();

    public StorageOptions Storage { get; set; } = new();

    public QuarantineOptions Quarantine { get; set; } = new();

    public ConsoleOptions Console { get; set; } = new();

    public InspectionSettings Inspection { get; set; } = new();

    public CheckOptions Check { get; set; } = new();

    public AddinOptions Addin { get; set; } = new();
}

/// <summary>Inspection:*: where and how long messages are inspected, and the limits on what one message may make inspection do.</summary>
public sealed partial class InspectionSettings
{
    /// <summary>
    /// Inspection threads; 0 (the default) for one per core. Inspection is CPU-bound, so more
    /// threads than cores only make every message slower.
    /// </summary>
    public int Workers { get; set; }

    /// <summary>
    /// Messages that may wait for a free inspection thread. Default 32; when every worker is busy and
    /// this many wait, new DATA gets 451 4.7.1 (the client retries later) instead of piling up. A message
    /// waits at most about MaxQueued / Workers × TimeBudget.
    /// </summary>
    public int MaxQueued { get; set; } = 32;

    /// <summary>Time for a whole message, all parts and archives. Default 30 s, well inside SMTP's 10-minute end-of-DATA wait (RFC 5321 §4.5.3.2.6); past it the message is unscannable and Policy:OnInspectionFailure applies.</summary>
    public TimeSpan TimeBudget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time for one attachment, nested members included. Default 30 s.</summary>
    public TimeSpan AttachmentTimeBudget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Forwarded messages inside messages opened at most this deep. Default 8.</summary>
    public int MaxMessageDepth { get; set; } = 8;

    /// <summary>Archives inside archives, counted from the attachment. Default 8 (the 42.zip bomb needs 5 levels, which the size limits stop first).</summary>
    public int MaxNestingDepth { get; set; } = 8;

    /// <summary>Decompressed bytes from all archive members of one attachment. Default 256 MB, four times the default largest message.</summary>
    public long MaxExpandedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Decompressed to compressed bytes, per member and per archive. Default 100 (Apache POI's zip-bomb guard).</summary>
    public double MaxExpansionRatio { get; set; } = 100;

    /// <summary>Members of one attachment's archives. Default 10,000.</summary>
    public int MaxArchiveEntries { get; set; } = 10_000;

    /// <summary>Spreadsheet cells read from one attachment. Default 10,000,000.</summary>
    public long MaxCells { get; set; } = 10_000_000;

    /// <summary>Pages read from one PDF. Default 2,000.</summary>
    public int MaxPdfPages { get; set; } = 2_000;

    public OcrSettings Ocr { get; set; } = new();
}

/// <summary>Inspection:Ocr:*: tesseract, an optional peer like Postfix, detected once at start.</summary>
public sealed class OcrSettings
{
    /// <summary>OCR of pictures and image-only PDF pages when tesseract is found; false turns it off on a machine that has it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The tesseract program; by default the one on PATH (Debian's tesseract-ocr, with tesseract-ocr-eng).</summary>
    public string? TesseractPath { get; set; }

    /// <summary>poppler's pdftoppm, which renders image-only PDF pages for OCR; by default the one on PATH.</summary>
    public string? PdftoppmPath { get; set; }

    /// <summary>Recognisers running at once; 0 for one per core. Each uses one core for about half a second per screenshot.</summary>
    public int MaxConcurrency { get; set; }
}

/// <summary>The review console and API (issue 6), served by `mailguard run` when <see cref="Listen"/> is set.</summary>
public sealed class ConsoleOptions
{
    /// <summary>URL to listen on (https needs <see cref="Tls"/>); loopback by default; empty: no console, no API, no /metrics.</summary>
    public string? Listen { get; set; } = "http://127.0.0.1:8025";

    /// <summary>
    /// The console's base URL as reviewers reach it (https://mailguard.example.org, e.g. behind a proxy);
    /// the digest links each message to `{PublicUrl}/messages/{id}`. None by default: the digest then has no links.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Releasing a message with personal-data findings needs a second reviewer's approval.</summary>
    public bool FourEyes { get; set; }

    /// <summary>
    /// IANA (or Windows) time-zone id the console shows times in, with the zone named beside them
    /// (lists, message pages, the audit log; its CSV export stays in UTC). Default UTC.
    /// </summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>A console session ends after this long without a request.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Failed logins (per account and per client address) within <see cref="LoginLockout"/> before further attempts are refused.</summary>
    public int MaxLoginFailures { get; set; } = 5;

    /// <summary>How long too many failed logins lock the account name and client address out.</summary>
    public TimeSpan LoginLockout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Clients that may read /metrics without a bearer token (Prometheus scrapers); everyone else needs an admin or reviewer token.</summary>
    public List<string> MetricsAllowedNetworks { get; set; } = ["127.0.0.0/8", "::1/128"];

    /// <summary>Name of the admin account created, with a random password logged once, when the store has no accounts.</summary>
    public string InitialAdmin { get; set; } = "admin";

    /// <summary>Certificate for an https Listen URL (PEM or PFX, as for the relay; reloaded when its files change).</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Base64 of at least 32 bytes: the key of the release-request links in held notices. Must be the
    /// same on every node sharing a store. Give it in the environment (MAILGUARD_Console__LinkKey).
    /// None by default: a key is generated once and kept in {Storage:Directory}/link.key.
    /// </summary>
    public string? LinkKey { get; set; }

    /// <summary>Where the generated link key is kept when <see cref="LinkKey"/> is not set.</summary>
    public static string LinkKeyFile(StorageOptions storage) => Path.Combine(storage.Directory, "link.key");
}

public enum QuarantineExpiryAction
{
    /// <summary>Send the held message back to its sender with the bounce-back warning.</summary>
    Return,

    /// <summary>Drop it; the record and audit trail stay.</summary>
    Delete,
}

/// <summary>Quarantine:*.</summary>
public sealed class QuarantineOptions
{
    /// <summary>
    /// Days a message may stay held before it expires. Default 30: long enough for a review queue
    /// over holidays, short enough that held personal data does not pile up (GDPR storage limitation).
    /// </summary>
    public double RetentionDays { get; set; } = 30;

    /// <summary>What expiry does: Return (default; the sender learns the mail never went) or Delete.</summary>
    public QuarantineExpiryAction ExpiryAction { get; set; } = QuarantineExpiryAction.Return;

    /// <summary>How often expiry runs. Default 1 h.</summary>
    public TimeSpan ExpiryCheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Base64 of a 32-byte AES-256-GCM key; when set, held message bytes are stored encrypted.
    /// Give it in the environment (MAILGUARD_Quarantine__EncryptionKey) rather than the file. None by default.
    /// </summary>
    public string? EncryptionKey { get; set; }
}

/// <summary>Relay:*. Limits default to the SMTP library's, which cite Postfix and the RFCs.</summary>
public sealed class RelayOptions
{
    /// <summary>host:port listeners. Default 127.0.0.1:2525: an unconfigured relay is reachable from this host only, and needs no privilege.</summary>
    public List<string> Listen { get; set; } = ["127.0.0.1:2525"];

    /// <summary>Implicit-TLS listeners (RFC 8314 §3, port 465 for submission). Default none; needs Relay:Tls.</summary>
    public List<string> ImplicitTlsListen { get; set; } = [];

    /// <summary>Networks that may relay without AUTH (Postfix mynetworks). Default loopback only.</summary>
    public List<string> AllowedNetworks { get; set; } = ["127.0.0.0/8", "::1/128"];

    /// <summary>Name in the greeting, EHLO reply, Received header and DSNs. Default the machine's host name.</summary>
    public string ServerName { get; set; } = System.Net.Dns.GetHostName();

    /// <summary>Default 10240000, Postfix message_size_limit.</summary>
    public long MaxMessageBytes { get; set; } = 10_240_000;

    /// <summary>Default 1000, Postfix smtpd_recipient_limit.</summary>
    public int MaxRecipients { get; set; } = 1000;

    /// <summary>Default 100, Postfix default_process_limit.</summary>
    public int MaxSessions { get; set; } = 100;

    /// <summary>Default 20, Postfix default_destination_concurrency_limit: a fair share for one client (an IPv6 client is its /64).</summary>
    public int MaxSessionsPerClient { get; set; } = 20;

    /// <summary>Default 10, a tenth of MaxSessions: sessions of clients outside AllowedNetworks that have not authenticated.</summary>
    public int MaxUntrustedSessions { get; set; } = 10;

    /// <summary>Default 20, Postfix smtpd_hard_error_limit.</summary>
    public int MaxErrors { get; set; } = 20;

    /// <summary>Default 5 minutes, RFC 5321 §4.5.3.2.7; for each whole command line.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Bytes per second of command input a session must average once CommandTimeout has passed
    /// (time spent waiting for commands may reach CommandTimeout plus one second per this many
    /// bytes received). Default 1: a slow-loris client trickling a byte every 50 s is closed near
    /// CommandTimeout, while every command earns a real client seconds.
    /// </summary>
    public double MinimumCommandRate { get; set; } = 1;

    /// <summary>Default 3 minutes, RFC 5321 §4.5.3.2.5.</summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Failed AUTH attempts (per client address, an IPv6 client being its /64, and per user name)
    /// within <see cref="AuthLockout"/> after which AUTH is refused with 454 4.7.0 without checking
    /// the password. Default 10: a person mistyping a password retries a few times; a guesser needs
    /// thousands. Counted in the store, so every node sharing it counts together.
    /// </summary>
    public int MaxAuthFailures { get; set; } = 10;

    /// <summary>How long the failures are counted and the lockout lasts, from the first failure. Default 15 minutes.</summary>
    public TimeSpan AuthLockout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The answer to a failed AUTH is held back this long, doubled for each earlier failure of the
    /// client or user name in the window, up to 16 times it (and as long again for a refused one).
    /// Default 1 s: 1, 2, 4, 8, 16 s, so a guesser gets a handful of tries a minute instead of dozens a second.
    /// </summary>
    public TimeSpan AuthFailureDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Time sessions get to finish at shutdown before the rest are sent 421. Default 30 s: inside
    /// systemd's 90 s stop timeout, and long enough for a 10 MB DATA at a few Mbit/s.
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    public bool RequireAuth { get; set; }

    /// <summary>
    /// AUTH users, "name:pbkdf2-sha256$..." each (make the hash with `mailguard hash-password`).
    /// Default none: AUTH then always fails, and only Relay:AllowedNetworks may relay.
    /// </summary>
    public List<string> Users { get; set; } = [];

    public TlsOptions Tls { get; set; } = new();
}

/// <summary>Relay:Tls:*. A PFX (with Password) or a PEM certificate (with KeyPath, or the key in the same file).</summary>
public sealed class TlsOptions
{
    public string? CertificatePath { get; set; }

    public string? KeyPath { get; set; }

    public string? Password { get; set; }

    /// <summary>How often the files are checked for changes besides the file watcher (which misses some atomic symlink swaps). Default 1 minute.</summary>
    public TimeSpan ReloadCheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

public enum DeliveryMode
{
    Pickup,
    Smtp,
}

/// <summary>Delivery:*. Retry timing follows Postfix's queue manager.</summary>
public sealed class DeliveryOptions
{
    public DeliveryMode Mode { get; set; } = DeliveryMode.Pickup;

    /// <summary>Where Pickup mode writes &lt;id&gt;.eml and &lt;id&gt;.json. Default Storage:Directory/pickup.</summary>
    public string? PickupDirectory { get; set; }

    public SmtpDeliveryOptions Smtp { get; set; } = new();

    /// <summary>Undeliverable messages are returned after this long. Default 120 (5 days, Postfix maximal_queue_lifetime).</summary>
    public double MaxAgeHours { get; set; } = 120;

    /// <summary>Parallel deliveries (upstream connections). Default 20, Postfix default_destination_concurrency_limit.</summary>
    public int Concurrency { get; set; } = 20;

    /// <summary>First retry delay, doubled per attempt. Default 5 minutes, Postfix minimal_backoff_time.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Retry delay cap. Default 4000 s, Postfix maximal_backoff_time.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(4000);

    /// <summary>
    /// How long a claim is exclusive. A node that dies holding claims leaves them for this long
    /// (its own restart releases them at once). Default 10 minutes: longer than one delivery of a
    /// maximal message over a slow link (the client's DATA timeouts are 3 + 10 minutes).
    /// </summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often idle workers look for due retries (new mail wakes them at once). Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Identifies this node's claims in a shared store. Default the machine name.</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();
}

/// <summary>Delivery:Smtp:*: the smart host.</summary>
public sealed class SmtpDeliveryOptions
{
    public string? Host { get; set; }

    /// <summary>Default 25 (RFC 5321 relay port).</summary>
    public int Port { get; set; } = 25;

    /// <summary>Required | Opportunistic | None. Default Opportunistic, what Postfix calls smtp_tls_security_level=may.</summary>
    public string StartTls { get; set; } = "Opportunistic";

    /// <summary>Check the smart host's certificate chain and name. Default true; false only for test rigs with self-signed certificates.</summary>
    public bool ValidateCertificate { get; set; } = true;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Send with BDAT when offered (RFC 3030): the stored bytes go out unchanged, no dot-stuffing. Default false.</summary>
    public bool UseChunking { get; set; }
}

/// <summary>Delivery:CircuitBreaker:*: stops hammering a smart host that keeps failing at the connection level.</summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Share of failed attempts that opens the circuit. Default 0.5 (Polly's default).</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Attempts in the window before the ratio counts. Default 10.</summary>
    public int MinimumThroughput { get; set; } = 10;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one probe. Default 30 s.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Storage:*.</summary>
public sealed class StorageOptions
{
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Database file and spool live here. Default ./data.</summary>
    public string Directory { get; set; } = "./data";

    public string? ConnectionString { get; set; }

    /// <summary>
    /// Messages up to this size are kept in the store itself and committed with their queue entries
    /// (one group fsync for many messages); larger ones stream to a spool file that is fsynced with
    /// its directory before the commit. Default 262144 (256 KiB): most mail, and a blob size SQLite
    /// handles without overflow-page churn mattering. 0 puts every message in a spool file.
    /// </summary>
    public long InlineContentBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How long the envelope rows of finished messages (every recipient delivered or failed) stay
    /// listable with `mailguard queue list --all`; their content is removed as soon as they finish.
    /// Default 168 (7 days). Without a limit a relay doing a thousand messages a second would add
    /// millions of rows an hour.
    /// </summary>
    public double RetainFinishedHours { get; set; } = 168;
}

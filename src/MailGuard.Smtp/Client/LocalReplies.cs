namespace MailGuard.Smtp.Client;

/// <summary>
/// Replies the client makes itself for requirements it finds unmet before asking the server. Their
/// text ends in "(local)" so a log or DSN never passes them off as the server's words.
/// </summary>
internal static class LocalReplies
{
    /// <summary><see cref="StartTlsMode.Required"/> and no STARTTLS in EHLO (RFC 3207 §4).</summary>
    public static readonly SmtpReply TlsNotOffered = Create(454, "4.7.0", "TLS required but not offered by server");

    /// <summary>Credentials configured but the session is in clear text (RFC 4954 §14).</summary>
    public static readonly SmtpReply AuthWithoutTls = Create(530, "5.7.0", "AUTH refused without TLS");

    /// <summary>Neither PLAIN nor LOGIN among the server's AUTH mechanisms.</summary>
    public static readonly SmtpReply NoAuthMechanism = Create(504, "5.7.4", "No supported AUTH mechanism offered");

    /// <summary>The message needs SMTPUTF8 and the server lacks it (RFC 6531 §3.4).</summary>
    public static readonly SmtpReply SmtpUtf8NotOffered = Create(553, "5.6.7", "SMTPUTF8 required but not offered by server");

    /// <summary>The message is larger than the server's SIZE (RFC 1870 §6).</summary>
    public static SmtpReply SizeExceeded(long size, long limit) => Create(552, "5.3.4", $"Message size {size} exceeds server limit {limit}");

    private static SmtpReply Create(int code, string enhanced, string text) => new(code, enhanced, text + " (local)");
}

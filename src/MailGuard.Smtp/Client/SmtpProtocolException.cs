namespace MailGuard.Smtp.Client;

/// <summary>The server broke the reply grammar (RFC 5321 §4.2); recorded on a Deferred result.</summary>
internal sealed class SmtpProtocolException(string message) : Exception(message);

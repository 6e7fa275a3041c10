using System.Security.Authentication;
using System.Text;
using MailGuard.Core.Notices;
using MailGuard.Smtp.Server;

namespace MailGuard.Host.Relay;

/// <summary>
/// The trace field every SMTP hop prepends (RFC 5321 §4.4), in the shape Postfix writes:
/// <code>
/// Received: from helo (unknown [192.0.2.1])
///         by relay.example (MailGuard) with ESMTPS id 0b3k...
///         for &lt;to@example.com&gt;; Sun, 22 Nov 2026 00:05:37 +0000
/// </code>
/// The protocol word follows RFC 3848 (ESMTP, ESMTPS, ESMTPA, ESMTPSA) and RFC 6531 §3.7.3
/// (UTF8SMTP...). "for" names the recipient only when there is exactly one, as Postfix does, so a
/// trace header never lists a message's other (Bcc) recipients.
/// </summary>
internal static class ReceivedHeader
{
    public static byte[] Build(SmtpSessionContext session, SmtpEnvelope envelope, string serverName, string queueId, DateTimeOffset now)
    {
        string helo = session.HeloName ?? "unknown";
        string address = session.RemoteAddress?.ToString() ?? "unknown";
        string protocol = (envelope.SmtpUtf8 ? "UTF8SMTP" : (session.IsExtended ? "ESMTP" : "SMTP"))
            + (session.IsSecure ? "S" : string.Empty)
            + (session.IsAuthenticated ? "A" : string.Empty);
        var sb = new StringBuilder(256);
        sb.Append("Received: from ").Append(helo).Append(" (unknown [").Append(address).Append("])\r\n");
        if (session.IsSecure && session.TlsProtocol is { } tlsProtocol)
        {
            sb.Append("\t(using ").Append(TlsName(tlsProtocol));
            if (session.TlsCipherSuite is { } suite)
            {
                sb.Append(" with cipher ").Append(suite);
            }

            sb.Append(")\r\n");
        }

        sb.Append("\tby ").Append(serverName).Append(" (MailGuard) with ").Append(protocol).Append(" id ").Append(queueId);
        if (envelope.Recipients.Count == 1)
        {
            sb.Append("\r\n\tfor <").Append(envelope.Recipients[0].Address).Append('>');
        }

        sb.Append("; ").Append(DeliveryStatusNotice.FormatDate(now)).Append("\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string TlsName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.ToString(),
    };
}

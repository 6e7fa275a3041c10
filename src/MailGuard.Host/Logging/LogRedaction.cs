using System.Text.RegularExpressions;
using MailGuard.Inspection.Detection;

namespace MailGuard.Host.Logging;

/// <summary>
/// Text from outside (an upstream server's reply) passes through here before it is logged.
/// Replies often quote the recipient ("550 5.1.1 &lt;jane.doe@example.com&gt;: Recipient address
/// rejected"), and an address is personal data: it is masked the way findings' evidence is
/// (j***@example.com), keeping the domain that tells an operator which system refused.
/// </summary>
internal static partial class LogRedaction
{
    public static string MaskAddresses(string text) =>
        Address().Replace(text, m => Masker.Email(m.ValueSpan));

    // A local part of anything but separators, an @, and a domain of DNS characters (or a literal).
    [GeneratedRegex(@"[^\s<>()\[\],;:""'@]+@(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[^\]\s]+\])", RegexOptions.CultureInvariant)]
    private static partial Regex Address();
}

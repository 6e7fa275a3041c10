using MailGuard.Mime;

namespace MailGuard.Core.Policy;

/// <summary>
/// The field the Outlook add-in writes when the sender chooses "Send anyway" on a rule that allows
/// it (<see cref="PolicyRule.AllowOverride"/>): the rule names, comma-separated. It is a record, not
/// a permission: the relay decides with the same policy whatever the field says, so a forged field
/// gains nothing. Only names of configured rules are read back, so the log never carries what a
/// sender typed.
/// </summary>
public static class SenderOverride
{
    public const string HeaderName = "X-MailGuard-Override";

    /// <summary>The configured rules the field names, comma-separated; null when there is no such field or it names none.</summary>
    public static string? Read(HeaderList headers, PolicyOptions policy)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(policy);
        if (headers[HeaderName]?.Value is not { Length: > 0 } value)
        {
            return null;
        }

        var named = value.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var rules = policy.Rules.Where(r => named.Contains(r.Name)).Select(r => r.Name).ToList();
        return rules.Count == 0 ? null : string.Join(",", rules);
    }
}

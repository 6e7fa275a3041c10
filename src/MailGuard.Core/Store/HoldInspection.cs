using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailGuard.Core.Store;

/// <summary>One policy rule a held message matched.</summary>
/// <param name="Action">The contract spelling of what the rule asks for (hold, rewrite-bcc, ...).</param>
public sealed record HoldRuleMatch(string Name, string Action, bool AuditOnly, string? Reason);

/// <summary>People found in one table or text. <paramref name="Location"/> has file and sheet names masked; <paramref name="Kinds"/> are plain words ("NI number").</summary>
public sealed record HoldPeople(string Location, long People, IReadOnlyList<string> Kinds, bool Table);

/// <summary>One external domain among the envelope recipients, and how many recipients are in it.</summary>
public sealed record HoldDestination(string Domain, int Recipients);

/// <summary>An attachment as the console lists it; the file name and location masked.</summary>
public sealed record HoldAttachment(string Location, string? FileName, string DeclaredType, string DetectedFormat, long EncodedSize);

/// <summary>A masked preview of offending content: a table's header and first rows, or sentences of prose.</summary>
public sealed record HoldPreview(string Location, IReadOnlyList<string>? Header, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string> Sentences, long TotalRows);

/// <summary>
/// What inspection learned about a held message, kept with the hold so the console renders from it
/// and never inspects the message again: every rule it matched, the people and kinds of data per
/// table or text, the external destinations, the attachments and masked previews. Masked
/// throughout (like finding evidence): nothing in it may not be shown to a reviewer.
/// </summary>
public sealed record HoldInspection(
    IReadOnlyList<HoldRuleMatch> Rules,
    IReadOnlyList<HoldPeople> People,
    IReadOnlyList<HoldDestination> ExternalDomains,
    IReadOnlyList<HoldAttachment> Attachments,
    IReadOnlyList<HoldPreview> Previews,
    int MimeDefects)
{
    private static readonly JsonSerializerOptions s_json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Serialize() => JsonSerializer.Serialize(this, s_json);

    /// <summary>The stored inspection, or null when there is none (an older hold) or it cannot be read.</summary>
    public static HoldInspection? Deserialize(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<HoldInspection>(json, s_json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

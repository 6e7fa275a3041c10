using System.Text.Json;

namespace MailGuard.Inspection;

/// <summary>Findings as stored with a held message: masked evidence only, so the record leaks nothing the console may not show.</summary>
public static class FindingsJson
{
    // Fields added later are optional (a default in the record), so findings stored by an older
    // version still load: Reason; LastRow (a table finding's last row; before it, the first row only).
    private sealed record Stored(string Kind, int Count, Confidence Confidence, string PartPath, string? FileName, string? Sheet, long? Row, int? Column, IReadOnlyList<string> Evidence, string? Summary, string? Reason = null, long? LastRow = null);

    public static string Serialize(IEnumerable<Finding> findings) =>
        JsonSerializer.Serialize(findings.Select(f => new Stored(f.Kind, f.Count, f.Confidence, f.Location.PartPath, f.Location.FileName, f.Location.Sheet, f.Location.Row, f.Location.Column, f.Evidence, f.Summary, f.Reason, f.Location.LastRow)));

    public static IReadOnlyList<Finding> Deserialize(string json)
    {
        var stored = JsonSerializer.Deserialize<List<Stored>>(json) ?? [];
        return stored.Select(s => new Finding(s.Kind, s.Count, s.Confidence, new ContentLocation(s.PartPath, s.FileName, s.Sheet, s.Row, s.Column, LastRow: s.LastRow), s.Evidence, s.Summary, s.Reason)).ToList();
    }
}

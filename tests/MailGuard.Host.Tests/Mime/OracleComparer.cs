using System.Text.Json;
using System.Text.RegularExpressions;

namespace MailGuard.Host.Tests.Mime;

/// <summary>
/// The comparison rules of ../shared/corpus/mime/README.md ("Comparing"): walks the oracle dump
/// and ours in parallel; a mismatch on a field the oracle marks debatable is tolerated.
/// </summary>
internal sealed partial class OracleComparer
{
    public List<string> Failures { get; } = new();

    public List<string> Tolerated { get; } = new();

    /// <summary>Per-field counts: compared, agreed.</summary>
    public Dictionary<string, (int Compared, int Agreed)> FieldStats { get; } = new();

    public void CompareDocument(JsonElement oracle, JsonElement ours)
    {
        if (ours.TryGetProperty("file_sha256", out var sha) && sha.GetString() != oracle.GetProperty("file_sha256").GetString())
        {
            Failures.Add("file_sha256: parsed different bytes");
            return;
        }

        CompareMessage(oracle.GetProperty("message"), ours.GetProperty("message"), "", tolerant: false);
    }

    private void CompareMessage(JsonElement o, JsonElement p, string path, bool tolerant)
    {
        var deb = Debatable(o);
        bool all = tolerant || deb.ContainsKey("*");
        var oh = o.GetProperty("headers");
        var ph = p.GetProperty("headers");
        foreach (string f in new[] { "from", "to", "cc", "bcc", "reply_to" })
        {
            Check(path, f, AddressesEqual(oh.GetProperty(f), ph.GetProperty(f)), all || deb.ContainsKey(f), () => $"{oh.GetProperty(f)} vs {ph.GetProperty(f)}");
        }

        Check(path, "subject", Norm(Str(oh, "subject")) == Norm(Str(ph, "subject")), all || deb.ContainsKey("subject"), () => $"{Str(oh, "subject")} vs {Str(ph, "subject")}");
        Check(path, "message_id", (Str(oh, "message_id") ?? "") == (Str(ph, "message_id") ?? ""), all || deb.ContainsKey("message_id"), () => $"{Str(oh, "message_id")} vs {Str(ph, "message_id")}");
        Check(path, "date", DateUtc(oh) == DateUtc(ph), all || deb.ContainsKey("date"), () => $"{DateUtc(oh)} vs {DateUtc(ph)}");
        CompareEntity(o.GetProperty("body"), p.GetProperty("body"), path + "/body", all);
    }

    private void CompareEntity(JsonElement o, JsonElement p, string path, bool tolerant)
    {
        var deb = Debatable(o);
        bool all = tolerant || deb.ContainsKey("*");
        foreach (string f in new[] { "content_type", "charset", "content_disposition", "content_transfer_encoding" })
        {
            Check(path, f, string.Equals(Str(o, f) ?? "", Str(p, f) ?? "", StringComparison.OrdinalIgnoreCase), all || deb.ContainsKey(f), () => $"{Str(o, f)} vs {Str(p, f)}");
        }

        Check(path, "filename", (Str(o, "filename") ?? "") == (Str(p, "filename") ?? ""), all || deb.ContainsKey("filename"), () => $"{Str(o, "filename")} vs {Str(p, "filename")}");
        string? kind = Str(o, "kind");
        bool kindTolerated = all || deb.ContainsKey("kind");
        if (!Check(path, "kind", kind == Str(p, "kind"), kindTolerated, () => $"{kind} vs {Str(p, "kind")}"))
        {
            return;
        }

        switch (kind)
        {
            case "multipart":
                var op = o.GetProperty("parts");
                var pp = p.GetProperty("parts");
                bool partsTolerated = kindTolerated || deb.ContainsKey("parts");
                if (!Check(path, "parts", op.GetArrayLength() == pp.GetArrayLength(), partsTolerated, () => $"{op.GetArrayLength()} vs {pp.GetArrayLength()} parts"))
                {
                    return;
                }

                for (int i = 0; i < op.GetArrayLength(); i++)
                {
                    CompareEntity(op[i], pp[i], $"{path}/{i + 1}", partsTolerated);
                }

                break;
            case "message":
                CompareMessage(o.GetProperty("message"), p.GetProperty("message"), path + "/message", kindTolerated);
                break;
            default:
                Check(path, "sha256", Str(o, "sha256") == Str(p, "sha256"), all || deb.ContainsKey("sha256"), () => $"size {o.GetProperty("size")} vs {p.GetProperty("size")}");
                break;
        }
    }

    private bool Check(string path, string field, bool equal, bool tolerated, Func<string> detail)
    {
        FieldStats.TryGetValue(field, out var s);
        FieldStats[field] = (s.Compared + 1, s.Agreed + (equal ? 1 : 0));
        if (!equal)
        {
            (tolerated ? Tolerated : Failures).Add($"{path} {field}: {detail()}");
        }

        return equal;
    }

    private static Dictionary<string, string> Debatable(JsonElement e)
    {
        var d = new Dictionary<string, string>();
        if (e.TryGetProperty("debatable", out var deb))
        {
            foreach (var p in deb.EnumerateObject())
            {
                d[p.Name] = p.Value.ToString();
            }
        }

        return d;
    }

    private static bool AddressesEqual(JsonElement a, JsonElement b)
    {
        if (a.GetArrayLength() != b.GetArrayLength())
        {
            return false;
        }

        for (int i = 0; i < a.GetArrayLength(); i++)
        {
            if (Str(a[i], "address") != Str(b[i], "address") || Norm(Str(a[i], "name")) != Norm(Str(b[i], "name")) || Norm(Str(a[i], "group")) != Norm(Str(b[i], "group")))
            {
                return false;
            }
        }

        return true;
    }

    private static string? DateUtc(JsonElement headers) =>
        headers.TryGetProperty("date", out var d) && d.ValueKind == JsonValueKind.Object ? Str(d, "utc") : null;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Norm(string? s) => s is null ? "" : Whitespace().Replace(s, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

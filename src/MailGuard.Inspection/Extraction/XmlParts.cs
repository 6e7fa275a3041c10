using System.Xml;

namespace MailGuard.Inspection.Extraction;

/// <summary>XmlReader settings for package parts: no DTDs (billion laughs, XXE), no resolver.</summary>
internal static class XmlParts
{
    private static readonly XmlReaderSettings _settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    public static XmlReader Create(Stream stream) => XmlReader.Create(stream, _settings);

    /// <summary>Resolves a relationship target against the folder of its source part (OPC, ECMA-376 Part 2 §9.3).</summary>
    public static string ResolveTarget(string sourceFolder, string target)
    {
        if (target.StartsWith('/'))
        {
            return target[1..];
        }

        var parts = new List<string>(sourceFolder.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (string segment in target.Split('/'))
        {
            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (segment is not ("." or ""))
            {
                parts.Add(segment);
            }
        }

        return string.Join('/', parts);
    }

    /// <summary>Id -> (target, type) of a .rels part.</summary>
    public static Dictionary<string, (string Target, string Type)> ReadRelationships(Stream? rels, string sourceFolder)
    {
        var map = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (rels is null)
        {
            return map;
        }

        using XmlReader reader = Create(rels);
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship")
            {
                string? id = reader.GetAttribute("Id");
                string? target = reader.GetAttribute("Target");
                if (id is not null && target is not null && reader.GetAttribute("TargetMode") != "External")
                {
                    map[id] = (ResolveTarget(sourceFolder, target), reader.GetAttribute("Type") ?? string.Empty);
                }
            }
        }

        return map;
    }
}

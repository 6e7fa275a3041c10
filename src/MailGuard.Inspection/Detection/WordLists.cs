using System.Reflection;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// A word-list file the detectors read (Detection/Words/*.txt): column-header words, keywords
/// beside identifiers, role mailboxes, street types, words that are never names. The files
/// are compiled into the assembly as resources, so `scan` and the relay need nothing beside
/// their binaries, and are read once, when the detector that uses them is first used. Format:
/// one entry a line (spaces inside an entry are kept, the ends trimmed), "[name]" starts a
/// section, a line starting with '#' is a comment. A missing or empty section stops the
/// detector at its first use rather than letting it run with a silently empty list.
/// </summary>
internal sealed class WordLists
{
    internal const string ResourcePrefix = "MailGuard.Inspection.Words.";

    private readonly string _name;
    private readonly Dictionary<string, string[]> _sections;

    private WordLists(string name, Dictionary<string, string[]> sections)
    {
        _name = name;
        _sections = sections;
    }

    /// <summary>The sections in file order; a file without section headers has one, named "".</summary>
    public IEnumerable<string> Sections => _sections.Keys;

    /// <summary>The entries of a section, in file order.</summary>
    public string[] this[string section] =>
        _sections.TryGetValue(section, out var words)
            ? words
            : throw new InvalidDataException($"word list {_name} has no section [{section}]");

    /// <summary>The word-list files compiled into this assembly, by file name ("header-words.txt").</summary>
    public static IEnumerable<string> Embedded() =>
        typeof(WordLists).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..]);

    public static WordLists Load(string fileName)
    {
        Assembly assembly = typeof(WordLists).Assembly;
        using Stream stream = assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new InvalidDataException($"word list {fileName} is not embedded in {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return Parse(reader, fileName);
    }

    internal static WordLists Parse(TextReader reader, string name)
    {
        var sections = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? section = null;
        var words = new List<string>();
        var lineNumber = 0;

        void Close()
        {
            if (section is null && words.Count == 0)
            {
                return;
            }

            section ??= string.Empty;
            if (words.Count == 0)
            {
                throw new InvalidDataException($"word list {name}: section [{section}] is empty");
            }

            if (!sections.TryAdd(section, [.. words]))
            {
                throw new InvalidDataException($"word list {name}: section [{section}] appears twice");
            }

            words.Clear();
        }

        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var text = line.Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }

            if (text[0] == '[')
            {
                if (text.Length < 3 || text[^1] != ']')
                {
                    throw new InvalidDataException($"word list {name} line {lineNumber}: a section header is written [name]");
                }

                Close();
                section = text[1..^1].Trim();
                continue;
            }

            words.Add(text);
        }

        Close();
        if (sections.Count == 0)
        {
            throw new InvalidDataException($"word list {name} has no entries");
        }

        return new WordLists(name, sections);
    }
}

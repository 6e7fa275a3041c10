using System.Text.RegularExpressions;

namespace MailGuard.Host.Tests.Documentation;

/// <summary>
/// README.md and every page under docs/ link to each other: each relative link must name a file
/// that exists, and each #anchor a heading of the page it points into (GitHub's anchor rule:
/// lower case, punctuation dropped, spaces as hyphens). Links inside code blocks and to other
/// sites are not checked.
/// </summary>
public sealed partial class DocsLinkTests
{
    private static string Root => MailGuard.Testing.RepoPaths.Root;

    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string> { "README.md" };
        foreach (string file in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            pages.Add(Path.GetRelativePath(Root, file).Replace('\\', '/'));
        }

        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryRelativeLinkResolves(string page)
    {
        string path = Path.Combine(Root, page);
        var broken = new List<string>();
        foreach (string target in Links(File.ReadAllText(path)))
        {
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            int hash = target.IndexOf('#');
            string file = hash < 0 ? target : target[..hash];
            string? anchor = hash < 0 ? null : target[(hash + 1)..];
            string resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target}: no such file");
                continue;
            }

            if (anchor is not null && resolved.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                broken.Add($"{target}: no heading with that anchor");
            }
        }

        Assert.True(broken.Count == 0, page + ": " + string.Join("; ", broken));
    }

    [Fact]
    public void ReadmeIsAShortFrontDoor()
    {
        long bytes = new FileInfo(Path.Combine(Root, "README.md")).Length;
        Assert.True(bytes < 12 * 1024, $"README.md is {bytes} bytes; the guides belong in docs/");
    }

    [Fact]
    public void EveryGuideHasATableOfContents()
    {
        foreach (string file in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md"))
        {
            if (Path.GetFileName(file) == "README.md")
            {
                continue;
            }

            Assert.Contains("## Contents", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }

    /// <summary>Markdown link targets outside fenced code blocks: [text](target) and ![alt](target).</summary>
    private static IEnumerable<string> Links(string markdown)
    {
        foreach (string block in OutsideCode(markdown))
        {
            foreach (Match m in LinkPattern().Matches(block))
            {
                yield return m.Groups[1].Value;
            }
        }
    }

    private static IEnumerable<string> OutsideCode(string markdown)
    {
        bool inCode = false;
        foreach (string line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }

            if (!inCode)
            {
                yield return InlineCode().Replace(line, "");
            }
        }
    }

    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in OutsideCode(markdown))
        {
            var m = Heading().Match(line);
            if (m.Success)
            {
                string title = m.Groups[1].Value.Trim().ToLowerInvariant();
                anchors.Add(AnchorPunctuation().Replace(title, "").Replace(' ', '-'));
            }
        }

        return anchors;
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^#{1,6} (.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\w\- ]")]
    private static partial Regex AnchorPunctuation();
}

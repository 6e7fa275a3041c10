using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

/// <summary>The detectors' word lists, embedded data files read once (Detection/Words/*.txt).</summary>
public class WordListsTests
{
    [Fact]
    public void Embedded_EveryListLoadsAndEverySectionHasEntries()
    {
        string[] files = WordLists.Embedded().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["context-words.txt", "header-words.txt", "not-names.txt", "organisation-domains.txt", "people-words.txt", "role-mailboxes.txt", "street-suffixes.txt"], files);
        foreach (string file in files)
        {
            WordLists lists = WordLists.Load(file);
            Assert.NotEmpty(lists.Sections);
            foreach (string section in lists.Sections)
            {
                string[] words = lists[section];
                Assert.NotEmpty(words);
                Assert.All(words, w => Assert.False(string.IsNullOrWhiteSpace(w) || w.StartsWith('#') || w.StartsWith('['), $"{file} [{section}] '{w}'"));
            }
        }
    }

    [Fact]
    public void Parse_CommentLinesAndBlankLines_AreIgnored()
    {
        WordLists lists = WordLists.Parse(new StringReader("# about this list\n[kind]\nfirst\n\n   # an indented comment\n  two words  \n[other]\n#x\ny\n"), "t.txt");
        Assert.Equal(["first", "two words"], lists["kind"]);
        Assert.Equal(["y"], lists["other"]);
    }

    [Fact]
    public void Parse_ListWithoutSections_IsOneUnnamedSection()
    {
        WordLists lists = WordLists.Parse(new StringReader("# roles\ninfo\nadmin\n"), "t.txt");
        Assert.Equal(["info", "admin"], lists[string.Empty]);
    }

    [Theory]
    [InlineData("[kind]\n# only a comment\n[other]\nx\n", "section [kind] is empty")]
    [InlineData("[kind]\nx\n[kind]\ny\n", "section [kind] appears twice")]
    [InlineData("# nothing\n", "has no entries")]
    public void Parse_EmptyOrRepeatedSection_IsRefused(string text, string message)
    {
        var ex = Assert.Throws<InvalidDataException>(() => WordLists.Parse(new StringReader(text), "t.txt"));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Indexer_MissingSection_NamesFileAndSection()
    {
        var ex = Assert.Throws<InvalidDataException>(() => WordLists.Load("header-words.txt")["no-such-kind"]);
        Assert.Equal("word list header-words.txt has no section [no-such-kind]", ex.Message);
    }

    [Fact]
    public void Detectors_ReadTheirListsFromTheFiles()
    {
        // Each detector's first use loads its file; a missing section would throw here.
        Assert.Equal(DataKind.DateOfBirth, HeaderClassifier.Classify("D.O.B"));
        Assert.Equal(DataKind.PrisonerNumber, HeaderClassifier.Classify("Prisoner No"));
        Assert.Equal(DataKind.NotPersonal, HeaderClassifier.Classify("Office Phone"));
        Assert.True(EmailAddress.IsRoleAddress("enquiries.leeds@example.org"));
        Assert.True(AddressWords.IsStreetSuffix("Gdns"));
        Assert.Contains("inmate", ContextWords.ScanGateStems);
        Assert.True(ContextWords.ContainsWord("Prison No: A1234BC", ContextWords.Prisoner));
    }
}

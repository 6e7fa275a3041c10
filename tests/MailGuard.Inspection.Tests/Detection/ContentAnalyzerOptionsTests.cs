using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

public class ContentAnalyzerOptionsTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(51)]
    public void MaxEvidence_OutOfRange_Throws(int value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContentAnalyzerOptions { MaxEvidence = value });

    [Fact]
    public void MinPeople_Zero_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContentAnalyzerOptions { MinPeople = 0 });

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void HeaderSearchRows_OutOfRange_Throws(int value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContentAnalyzerOptions { HeaderSearchRows = value });

    [Fact]
    public void MaxEvidence_Zero_FindingsWithoutExamples()
    {
        var analyzer = new ContentAnalyzer(new ContentAnalyzerOptions { MaxEvidence = 0, ReferenceDate = TestData.Today });
        analyzer.OnText(new ContentLocation("/1"), "NI number AB123456C");

        var nino = Assert.Single(analyzer.Findings);
        Assert.Equal(1, nino.Count);
        Assert.Empty(nino.Evidence);
    }

    [Fact]
    public void MinPeople_One_OnePersonReported()
    {
        var analyzer = TestData.NewAnalyzer(minPeople: 1);
        analyzer.OnText(new ContentLocation("/1"), "Ada Quillfeather, DOB 14/03/1987, NI AB123456C");

        Assert.Equal(1, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData).Count);
    }

    [Fact]
    public void OnUnscannable_Reported_AsFinding()
    {
        var analyzer = TestData.NewAnalyzer();
        analyzer.OnUnscannable(new ContentLocation("/2", "secret.zip"), UnscannableReason.Encrypted, "AES-256 entries");
        analyzer.OnTypeMismatch(new ContentLocation("/3", "invoice.pdf"), "application/pdf", "application/x-msdownload");

        Assert.Equal([FindingKinds.Unscannable, FindingKinds.TypeMismatch], analyzer.Findings.Select(f => f.Kind));
        Assert.Equal("Encrypted: AES-256 entries", analyzer.Findings[0].Summary);
    }
}

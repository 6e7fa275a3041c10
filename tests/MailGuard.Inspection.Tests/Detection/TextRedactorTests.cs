using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

public sealed class TextRedactorTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);

    [Fact]
    public void MasksEveryKnownIdentifierAndKeepsTheRest()
    {
        string text = "Hello all, my NI number is AB 12 34 56 C, NHS 943 476 5919, date of birth 01/02/1980, write to jane.doe@example.com.";
        string masked = TextRedactor.Redact(text, Today);
        Assert.DoesNotContain("AB 12 34 56 C", masked);
        Assert.DoesNotContain("943 476 5919", masked);
        Assert.DoesNotContain("01/02/1980", masked);
        Assert.DoesNotContain("jane.doe@", masked);
        Assert.StartsWith("Hello all, my NI number is AB", masked);
        Assert.Contains("@example.com", masked);
    }

    [Fact]
    public void TextWithoutIdentifiersIsReturnedAsItIs()
    {
        const string text = "Party <script>alert(1)</script> on Friday";
        Assert.Same(text, TextRedactor.Redact(text, Today));
    }

    [Fact]
    public void SubjectWithMarkupAndNino()
    {
        string masked = TextRedactor.Redact("Party <script>alert(1)</script> NI AB123456C", Today);
        Assert.DoesNotContain("AB123456C", masked);
    }
}

public sealed class TextScannerTerminationTests
{
    // "alert(1)", "f(2)", "x+1": an opener glued to a word once made the digit-group scanner spin forever.
    [Theory]
    [InlineData("alert(1)")]
    [InlineData("Party <script>alert(1)</script> on Friday")]
    [InlineData("see note(3) and call+44 20 7946 0000")]
    [InlineData("a+1 b(2) c(")]
    public async Task GluedOpenersDoNotHangTheScanner(string text)
    {
        var scan = Task.Run(() => TextRedactor.Redact(text, new DateOnly(2026, 11, 22)));
        Assert.Same(scan, await Task.WhenAny(scan, Task.Delay(TimeSpan.FromSeconds(10))));
    }
}

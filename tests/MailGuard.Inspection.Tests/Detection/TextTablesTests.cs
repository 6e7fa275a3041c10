using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

public class TextTablesTests
{
    [Theory]
    [InlineData("a\tb\tc", "Tab")]
    [InlineData("| a | b | c |", "Pipe")]
    [InlineData("a;b;\"c;d\"", "Semicolon")]
    [InlineData("a,\"b, c\",d", "Comma")]
    [InlineData("a,\"b \"\"x\"\", c\",d", "Comma")]
    [InlineData("alpha  beta   gamma", "Spaces")]
    [InlineData("alpha beta gamma", "Spaces")]
    [InlineData("a,b", "Comma")]
    public void CountCells_AnyLine_AgreesWithSplit(string line, string delimiter)
    {
        var d = Enum.Parse<TextTables.Delimiter>(delimiter);
        Assert.Equal(TextTables.Split(line, d).Count(), TextTables.CountCells(line, d));
    }

    [Fact]
    public void Split_QuotedComma_OneCell() =>
        Assert.Equal(["Doe, Jane", "x@example.org", "07700 900123"], TextTables.Split("\"Doe, Jane\",x@example.org,07700 900123", TextTables.Delimiter.Comma));

    [Fact]
    public void Extract_ProseAroundTable_KeepsProseAndFindsBlock()
    {
        var lines = new List<string>();
        var blocks = new List<TextTables.Block>();
        var rest = TextTables.Extract("Hello,\n\nName\tDOB\nA\t1\nB\t2\n\nBye", lines, blocks);

        var block = Assert.Single(blocks);
        Assert.Equal(2, block.FirstLine);
        Assert.Equal(3, block.LineCount);
        Assert.Contains("Hello", rest);
        Assert.Contains("Bye", rest);
        Assert.DoesNotContain("DOB", rest);
    }

    [Fact]
    public void Extract_OrdinaryProse_NoBlocks()
    {
        var lines = new List<string>();
        var blocks = new List<TextTables.Block>();
        TextTables.Extract("Thanks for this, I will read it today.\nSee you, and regards, Sam.\nBye now.", lines, blocks);
        Assert.Empty(blocks);
    }
}

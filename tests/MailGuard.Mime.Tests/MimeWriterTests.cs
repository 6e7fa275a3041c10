using System.Text;
using MailGuard.Testing;

namespace MailGuard.Mime.Tests;

public sealed class MimeWriterTests
{
    private const string Message =
        "Received: from a by b; Sat, 21 Nov 2026 10:00:00 +0000\r\n" +
        "From: Sender <s@internal.example>\r\n" +
        "To: a@ext1.example,\r\n b@ext2.example\r\n" +
        "Cc: c@ext3.example\r\n" +
        "Subject: =?utf-8?q?caf=C3=A9?=\r\n" +
        "DKIM-Signature: v=1; a=rsa-sha256; d=internal.example;\r\n\tb=abc\r\n" +
        "Content-Type: text/plain\r\n" +
        "\r\n" +
        "Body with To: not-a-header@x.example\r\nand bytes \u00e9\r\n";

    private static byte[] Rewrite(byte[] input, HeaderEdits edits)
    {
        using var doc = MimeDocument.Load(input);
        using var ms = new MemoryStream();
        MimeWriter.Write(doc, ms, edits);
        return ms.ToArray();
    }

    [Fact]
    public void Write_NoEdits_IsByteIdentical()
    {
        byte[] input = Encoding.UTF8.GetBytes(Message);
        Assert.Equal(input, Rewrite(input, new HeaderEdits()));
    }

    [Fact]
    public void Write_HideRecipients_OnlyEditedFieldsChange()
    {
        byte[] input = Encoding.UTF8.GetBytes(Message);
        byte[] output = Rewrite(input, new HeaderEdits().Set("To", "undisclosed-recipients:;").Remove("Cc"));
        string expected = Message
            .Replace("To: a@ext1.example,\r\n b@ext2.example\r\n", "To: undisclosed-recipients:;\r\n", StringComparison.Ordinal)
            .Replace("Cc: c@ext3.example\r\n", "", StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.UTF8.GetString(output));
    }

    [Fact]
    public void Write_SetAbsentField_IsAppendedToHeaderBlock()
    {
        byte[] output = Rewrite(Encoding.UTF8.GetBytes(Message), new HeaderEdits().Set("X-MailGuard-Verdict", "deliver"));
        using var doc = MimeDocument.Load(output);
        Assert.Equal("deliver", doc.Message.Headers["X-MailGuard-Verdict"]!.Value);
        Assert.EndsWith("\r\n\r\nBody with To: not-a-header@x.example\r\nand bytes \u00e9\r\n", Encoding.UTF8.GetString(output), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_LfMessage_NewFieldUsesLf()
    {
        byte[] input = Encoding.ASCII.GetBytes("To: a@x.example\nSubject: s\n\nbody\n");
        Assert.Equal("To: b@y.example\nSubject: s\n\nbody\n", Encoding.ASCII.GetString(Rewrite(input, new HeaderEdits().Set("To", "b@y.example"))));
    }

    [Fact]
    public void Write_ByteOrderMarkBeforeEditedFirstField_IsKept()
    {
        byte[] input = [0xEF, 0xBB, 0xBF, .. Encoding.ASCII.GetBytes("To: a@x.example\r\nSubject: s\r\n\r\nbody\r\n")];
        byte[] output = Rewrite(input, new HeaderEdits().Set("To", "b@y.example"));
        Assert.Equal([0xEF, 0xBB, 0xBF, .. Encoding.ASCII.GetBytes("To: b@y.example\r\nSubject: s\r\n\r\nbody\r\n")], output);
    }

    [Fact]
    public void Set_ValueWithLineBreak_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new HeaderEdits().Set("To", "a@b\r\nBcc: x@y"));

    [SharedCorpusFact("mime")]
    public void Write_EveryCorpusMessage_ToCcReplacedEverythingElseIdentical()
    {
        foreach (string file in Directory.GetFiles(RepoPaths.MimeCorpus, "*.eml"))
        {
            byte[] input = File.ReadAllBytes(file);
            Assert.Equal(input, Rewrite(input, new HeaderEdits()));

            using var original = MimeDocument.Load(input);
            byte[] output = Rewrite(input, new HeaderEdits().Remove("Cc").Set("To", "undisclosed-recipients:;"));
            using var rewritten = MimeDocument.Load(output);
            Assert.Empty(rewritten.Message.Cc);
            Assert.Empty(rewritten.Message.To);

            // Every byte from the end of the header block onward is unchanged.
            long bodyStart = original.Message.Body.BodyOffset;
            long newBodyStart = rewritten.Message.Body.BodyOffset;
            Assert.True(input.AsSpan((int)bodyStart).SequenceEqual(output.AsSpan((int)newBodyStart)), Path.GetFileName(file));

            // Every other field is unchanged, in order.
            var before = original.Message.Headers.Where(h => h.Name is not ("To" or "to" or "TO" or "Cc" or "cc" or "CC")).Select(h => Encoding.Latin1.GetString(h.RawField.Span));
            var after = rewritten.Message.Headers.Where(h => !string.Equals(h.Name, "To", StringComparison.OrdinalIgnoreCase)).Select(h => Encoding.Latin1.GetString(h.RawField.Span));
            Assert.Equal(before, after);
        }
    }
}

using System.Text;
using MailGuard.Core.Dispositions;
using MailGuard.Core.Policy;
using MailGuard.Inspection;
using MailGuard.Mime;

namespace MailGuard.Core.Tests.Dispositions;

public sealed class MessageRewriterTests
{
    private static readonly DomainSet s_internal = new(["corp.example"]);

    private const string Original =
        "Received: from a by b; Sat, 21 Nov 2026 10:00:00 +0000\r\n" +
        "From: Clerk <clerk@corp.example>\r\n" +
        "To: \"Doe, Jane\" <jane@ext1.example>, boss@corp.example,\r\n bob@ext2.example\r\n" +
        "Cc: carol@ext3.example\r\n" +
        "Subject: Applications\r\n" +
        "X-MailGuard-Verdict: deliver\r\n" +
        "Content-Type: text/plain\r\n" +
        "\r\n" +
        "Body stays exactly as it was.\r\nTo: not-a-header@ext.example\r\n";

    [Fact]
    public void HideExternalRecipients_KeepsInternalDropsExternalBodyUnchanged()
    {
        using var doc = MimeDocument.Load(Encoding.ASCII.GetBytes(Original));
        using var output = new MemoryStream();
        var result = MessageRewriter.HideExternalRecipients(doc, output, s_internal);
        string text = Encoding.ASCII.GetString(output.ToArray());

        Assert.Equal(3, result.ExternalRemoved);
        Assert.Equal(1, result.InternalKept);
        using var rewritten = MimeDocument.Load(output.ToArray());
        Assert.Equal(["boss@corp.example"], rewritten.Message.To.Select(a => a.Address));
        Assert.Empty(rewritten.Message.Cc);
        Assert.EndsWith("\r\n\r\nBody stays exactly as it was.\r\nTo: not-a-header@ext.example\r\n", text, StringComparison.Ordinal);
        Assert.StartsWith("Received: from a by b;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ext1.example", text, StringComparison.Ordinal);
    }

    [Fact]
    public void HideExternalRecipients_NoInternal_ToBecomesEmptyGroup()
    {
        using var doc = MimeDocument.Load(Encoding.ASCII.GetBytes("To: a@x.example, b@y.example\r\nSubject: s\r\n\r\nbody\r\n"));
        using var output = new MemoryStream();
        var result = MessageRewriter.HideExternalRecipients(doc, output, s_internal);
        Assert.Equal("undisclosed-recipients:;", result.NewTo);
        Assert.Equal("To: undisclosed-recipients:;\r\nSubject: s\r\n\r\nbody\r\n", Encoding.ASCII.GetString(output.ToArray()));
    }

    [Fact]
    public void HideExternalRecipients_BccFieldInTheMessage_Removed()
    {
        // A mail merge script's Bcc field would show its addresses to everyone the message goes to.
        using var doc = MimeDocument.Load(Encoding.ASCII.GetBytes("To: undisclosed-recipients:;\r\nBcc: a@x.example, b@y.example,\r\n c@z.example\r\nSubject: s\r\n\r\nbody\r\n"));
        using var output = new MemoryStream();
        var result = MessageRewriter.HideExternalRecipients(doc, output, s_internal);
        Assert.Equal(3, result.ExternalRemoved);
        Assert.Equal("To: undisclosed-recipients:;\r\nSubject: s\r\n\r\nbody\r\n", Encoding.ASCII.GetString(output.ToArray()));
    }

    [Fact]
    public void AddVerdictHeaders_ReplacesForgedValuesAndNamesVerdict()
    {
        using var doc = MimeDocument.Load(Encoding.ASCII.GetBytes(Original));
        var verdict = new Verdict(PolicyAction.Tag, PolicyAction.Tag, "unscannable-external", false, false, false, null, []);
        var findings = new[] { new Finding(FindingKinds.Unscannable, 1, Confidence.High, new ContentLocation("/2", "secret.zip"), []) };
        using var output = new MemoryStream();
        MessageRewriter.AddVerdictHeaders(doc, output, MessageRewriter.VerdictHeaders(verdict, "MG-1", findings));
        using var tagged = MimeDocument.Load(output.ToArray());
        Assert.Equal(["tag"], tagged.Message.Headers.GetAll("X-MailGuard-Verdict").Select(h => h.Value));
        Assert.Equal("unscannable-external", tagged.Message.Headers["X-MailGuard-Rule"]!.Value);
        Assert.Equal("unscannable=1", tagged.Message.Headers["X-MailGuard-Findings"]!.Value);
    }

    [Fact]
    public void VerdictPrefix_FieldsInTheMessagesOwnLineEnding_ParsedAsItsFirstFields()
    {
        byte[] original = "Received: from a by b; Sat, 21 Nov 2026 10:00:00 +0000\nSubject: s\n\nbody\n"u8.ToArray();
        using var doc = MimeDocument.Load(original);
        var verdict = new Verdict(PolicyAction.Tag, PolicyAction.Tag, "unscannable-external", false, false, false, null, []);
        var findings = new[] { new Finding(FindingKinds.Unscannable, 2, Confidence.High, new ContentLocation("/2", "secret.zip"), []) };

        byte[] prefix = MessageRewriter.VerdictPrefix(doc, MessageRewriter.VerdictHeaders(verdict, "MG-1", findings))!;

        Assert.Equal("X-MailGuard-Verdict: tag\nX-MailGuard-Reference: MG-1\nX-MailGuard-Rule: unscannable-external\nX-MailGuard-Findings: unscannable=2\n", Encoding.ASCII.GetString(prefix));
        using var tagged = MimeDocument.Load([.. prefix, .. original]);
        Assert.Equal("X-MailGuard-Verdict", tagged.Message.Headers[0].Name);
        Assert.Equal("s", tagged.Message.Subject);
        Assert.Equal("unscannable-external", tagged.Message.Headers["X-MailGuard-Rule"]!.Value);
    }

    [Fact]
    public void VerdictPrefix_MessageAlreadyCarriesAVerdictField_NoneSoItIsRewritten()
    {
        using var doc = MimeDocument.Load(Encoding.ASCII.GetBytes(Original));
        var verdict = new Verdict(PolicyAction.Tag, PolicyAction.Tag, null, false, false, false, null, []);
        var headers = MessageRewriter.VerdictHeaders(verdict, "MG-1", []);

        Assert.Null(MessageRewriter.VerdictPrefix(doc, headers));
        using var output = new MemoryStream();
        MessageRewriter.AddVerdictHeaders(doc, output, headers);
        string text = Encoding.ASCII.GetString(output.ToArray());
        Assert.StartsWith("X-MailGuard-Verdict: tag\r\nX-MailGuard-Reference: MG-1\r\nReceived: from a by b;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("X-MailGuard-Verdict: deliver", text, StringComparison.Ordinal);
    }
}

using System.Text;
using MailGuard.Core.Notices;

namespace MailGuard.Core.Tests.Notices;

public sealed class DeliveryStatusNoticeTests
{
    [Fact]
    public void Build_DiagnosticWithLineBreaksAndBidi_OneLineInBothParts()
    {
        var failed = new FailedRecipient("bob@ext.example", "5.1.1", "550 5.1.1 no such user\r\nX-Injected: yes\u2028\u202Eko", "mx.ext.example");
        var now = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

        string dsn = Encoding.UTF8.GetString(DeliveryStatusNotice.Build(new DeliveryStatusRequest("mailguard.test", "01kaa00000000000000a", "clerk@corp.example", now, [failed], "Subject: x\r\n"u8.ToArray(), now)));

        Assert.Contains("<bob@ext.example>: 550 5.1.1 no such user X-Injected: yes ko\r\n", dsn, StringComparison.Ordinal);
        Assert.Contains("Diagnostic-Code: smtp; 550 5.1.1 no such user X-Injected: yes ko\r\n", dsn, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nX-Injected", dsn, StringComparison.Ordinal);
        Assert.DoesNotContain(dsn, c => c is '\u2028' or '\u202E');
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static byte[] Build(byte[] headers, params FailedRecipient[] failed) =>
        DeliveryStatusNotice.Build(new DeliveryStatusRequest("mailguard.test", "01kaa00000000000000a", "clerk@corp.example", Now, failed, headers, Now));

    [Fact]
    public void Build_OriginalHeaders_ReturnedByteForByte()
    {
        byte[] headers = "Subject: bare\nX-Folded: a\r\n b\r\nFrom: <a@x.example>\r\n"u8.ToArray();

        byte[] dsn = Build(headers, new FailedRecipient("bob@ext.example", "5.1.1", "550 5.1.1 no such user", null));

        using var doc = MailGuard.Mime.MimeDocument.Load(dsn);
        var part = doc.Message.Body.Children[2];
        Assert.Equal("text/rfc822-headers", part.ContentType.MimeType);
        Assert.Equal(headers, dsn.AsSpan((int)part.BodyOffset, (int)part.BodyLength).ToArray());
    }

    [Fact]
    public void Build_MimeKitReadsTheReport_Utf8AddressAndLongDiagnosticLiteral()
    {
        string diagnostic = "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address https://support.example.com/mail/?p=NoSuchUser&hl=en-GB-x-very-long-parameter";
        byte[] dsn = Build(
            "Subject: x\r\n"u8.ToArray(),
            new FailedRecipient("bob@ext.example", "5.1.1", diagnostic, "mx.ext.example"),
            new FailedRecipient("jörg@ext.example", "4.4.7", null, null));

        using var message = MimeKit.MimeMessage.Load(new MemoryStream(dsn));
        var report = Assert.IsType<MimeKit.MultipartReport>(message.Body);
        Assert.Equal("delivery-status", report.ReportType);
        Assert.Equal(["text/plain", "message/delivery-status", "text/rfc822-headers"], report.Select(p => p.ContentType.MimeType));
        var status = Assert.IsType<MimeKit.MessageDeliveryStatus>(report[1]);
        Assert.Equal("01kaa00000000000000a", status.StatusGroups[0]["Original-Envelope-Id"]!.Trim());
        Assert.Equal("smtp; " + diagnostic, Unfold(status.StatusGroups[1].First(h => h.Field == "Diagnostic-Code").RawValue));
        string text = Encoding.UTF8.GetString(dsn);
        // Literal, never an RFC 2047 encoded word: DSN readers do not decode these fields.
        Assert.Contains("\r\nFinal-Recipient: utf-8; jörg@ext.example\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("=?", text, StringComparison.Ordinal);
        Assert.All(text.Split("\r\n"), line => Assert.True(line.Length <= 998, $"a line of {line.Length} characters"));
        Assert.Equal("Undelivered Mail Returned to Sender", message.Subject);
        Assert.Equal("auto-replied", message.Headers["Auto-Submitted"]!.Trim());
        Assert.Equal("MAILER-DAEMON@mailguard.test", ((MimeKit.MailboxAddress)message.From[0]).Address);
    }

    private static string Unfold(byte[] raw) => Encoding.UTF8.GetString(raw).Replace("\r\n", "", StringComparison.Ordinal).Trim();
}

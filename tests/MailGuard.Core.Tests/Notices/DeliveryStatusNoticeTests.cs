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
}

using MailGuard.Host.Logging;

namespace MailGuard.Host.Tests.Logging;

public sealed class LogRedactionTests
{
    [Theory]
    [InlineData("550 5.1.1 <jane.doe@example.com>: Recipient address rejected: User unknown", "550 5.1.1 <j***@example.com>: Recipient address rejected: User unknown")]
    [InlineData("452 4.2.2 jane@mail.example.co.uk... Mailbox full", "452 4.2.2 j***@mail.example.co.uk... Mailbox full")]
    [InlineData("550 5.7.1 <a@[192.0.2.1]> and <b@example.org> refused", "550 5.7.1 <a***@[192.0.2.1]> and <b***@example.org> refused")]
    [InlineData("421 4.4.2 connection timed out", "421 4.4.2 connection timed out")]
    public void MaskAddresses_UpstreamReply_LocalPartsMaskedDomainsKept(string reply, string logged)
    {
        Assert.Equal(logged, LogRedaction.MaskAddresses(reply));
    }
}

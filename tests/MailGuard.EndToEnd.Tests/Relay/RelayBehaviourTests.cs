using System.Net.Sockets;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Smtp.Client;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.EndToEnd.Tests.Relay;

public sealed class RelayBehaviourTests
{
    [Fact]
    public async Task Rcpt_ClientOutsideAllowedNetworks_RelayDenied()
    {
        await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?> { ["Relay:AllowedNetworks:0"] = "10.0.0.0/8" });

        var result = await TestMessages.SendAsync(relay.Port, "sender@example.org", ["victim@example.net"], TestMessages.Build("open relay probe"));

        Assert.Equal(DeliveryOutcome.Failed, result.Outcome);
        Assert.Equal(554, result.Recipients[0].Reply!.Value.Code);
        Assert.Equal("5.7.1", result.Recipients[0].Reply!.Value.EnhancedCode);
        Assert.Empty(await relay.Store.ListAsync(new QueueQuery()));
    }

    [Fact]
    public async Task Data_Accepted_250CarriesQueueIdAndStoreHasEnvelope()
    {
        await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?> { ["Delivery:Concurrency"] = "1", ["Delivery:Mode"] = "Smtp", ["Delivery:Smtp:Host"] = "127.0.0.1", ["Delivery:Smtp:Port"] = TestMessages.FreePort().ToString(), ["Delivery:MinBackoff"] = "01:00:00", ["Delivery:MaxBackoff"] = "02:00:00" });

        var result = await TestMessages.SendAsync(relay.Port, "sender@example.org", ["a@example.com", "b@example.com"], TestMessages.Build("queued"));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        string text = result.Reply!.Value.Text;
        Assert.StartsWith("Ok: queued as ", text, StringComparison.Ordinal);
        string id = text["Ok: queued as ".Length..];
        var stored = await relay.Store.GetMessageAsync(id);
        Assert.NotNull(stored);
        Assert.Equal("sender@example.org", stored.MailFrom);
        Assert.Equal("127.0.0.1", stored.ClientAddress);
        Assert.Equal(MessageFlags.EightBit, stored.Flags);
        var entries = await relay.Store.ListAsync(new QueueQuery(MessageId: id));
        Assert.Equal(["a@example.com", "b@example.com"], entries.Select(e => e.Recipient));
    }

    [Fact]
    public async Task Disposition_Reject_550AndNothingKept()
    {
        await using var relay = await TestRelay.StartAsync(configure: s => s.AddSingleton<IMessageDisposition>(new RejectAll()));

        var result = await TestMessages.SendAsync(relay.Port, "sender@example.org", ["a@example.com"], TestMessages.Build("refused"));

        Assert.Equal(DeliveryOutcome.Failed, result.Outcome);
        Assert.Equal(550, result.Reply!.Value.Code);
        Assert.Contains("test policy", result.Reply.Value.Text, StringComparison.Ordinal);
        Assert.Empty(await relay.Store.ListAsync(new QueueQuery()));
        Assert.Empty(Directory.GetFiles(Path.Combine(relay.Directory, "data", "spool")));
    }

    [Fact]
    public async Task Shutdown_IdleSession_Gets421()
    {
        var relay = await TestRelay.StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(relay.EndPoint);
        var stream = tcp.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.StartsWith("220 ", await reader.ReadLineAsync(), StringComparison.Ordinal);
        await stream.WriteAsync("EHLO client.test\r\n"u8.ToArray());
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null && !line.StartsWith("250 ", StringComparison.Ordinal))
        {
        }

        var stopping = relay.DisposeAsync().AsTask();
        string? reply = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await stopping;

        Assert.StartsWith("421 4.3.2", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_CertificateFilesReplaced_NewHandshakesUseNewCertificate()
    {
        string dir = TempDirectory.Create("tls");
        try
        {
            string certPath = Path.Combine(dir, "cert.pem");
            string keyPath = Path.Combine(dir, "key.pem");
            var first = TestMessages.Certificate("first.test");
            TestMessages.WritePem(first, certPath, keyPath);
            await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?> { ["Relay:Tls:CertificatePath"] = certPath, ["Relay:Tls:KeyPath"] = keyPath });
            Assert.Equal(first.Thumbprint, await HandshakeThumbprintAsync(relay.Port));

            var second = TestMessages.Certificate("second.test");
            TestMessages.WritePem(second, certPath + ".new", keyPath + ".new");
            File.Move(keyPath + ".new", keyPath, overwrite: true);
            File.Move(certPath + ".new", certPath, overwrite: true);

            var deadline = DateTime.UtcNow.AddSeconds(10);
            string seen;
            while ((seen = await HandshakeThumbprintAsync(relay.Port)) != second.Thumbprint && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.Equal(second.Thumbprint, seen);
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    private static async Task<string> HandshakeThumbprintAsync(int port)
    {
        string? thumbprint = null;
        await using var client = new SmtpDeliveryClient(new SmtpClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            StartTls = StartTlsMode.Required,
            CertificateValidation = (_, cert, _, _) =>
            {
                thumbprint = cert!.GetCertHashString();
                return true;
            },
        });
        await client.SendAsync(new SmtpOutgoingMessage("sender@example.org", ["rcpt@example.com"], new MemoryStream(TestMessages.Build("tls"))));
        return thumbprint ?? "none";
    }

    private sealed class RejectAll : IMessageDisposition
    {
        public ValueTask<MessageDecision> DecideAsync(ReceivedMessage message, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new MessageDecision(DispositionAction.Reject, "Refused by test policy"));
    }
}

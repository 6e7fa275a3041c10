using MailGuard.Host.Configuration;
using MailGuard.Host.Delivery;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Metrics;

public sealed class UpstreamHealthTests
{
    private static SmtpTransport Smtp(string host, int port)
    {
        var options = new MailGuardOptions();
        options.Delivery.Mode = DeliveryMode.Smtp;
        options.Delivery.Smtp.Host = host;
        options.Delivery.Smtp.Port = port;
        options.Delivery.Smtp.StartTls = "None";
        return new SmtpTransport(Microsoft.Extensions.Options.Options.Create(options.Delivery), Microsoft.Extensions.Options.Options.Create(options.Relay), TimeProvider.System);
    }

    [Fact]
    public void Snapshot_SmtpTransport_HostPortBreakerClosedNothingYet()
    {
        var snapshot = new UpstreamHealth(Smtp("smarthost.corp.example", 587), TimeProvider.System).Snapshot();

        Assert.Equal("smtp", snapshot.Transport);
        Assert.Equal("smarthost.corp.example:587", snapshot.Target);
        Assert.True(snapshot.CircuitBreakerEnabled);
        Assert.Equal(UpstreamCircuitState.Closed, snapshot.Circuit);
        Assert.Null(snapshot.CircuitChangedAt);
        Assert.Null(snapshot.LastSuccessAt);
        Assert.Null(snapshot.LastFailureAt);
        Assert.Null(snapshot.LastFailureReply);
        Assert.Equal("[2001:db8::25]:25", new UpstreamHealth(Smtp("2001:db8::25", 25), TimeProvider.System).Snapshot().Target);
    }

    [Fact]
    public void Snapshot_PickupTransport_DirectoryWithoutBreaker()
    {
        string dir = TempDirectory.Create("health-pickup");
        try
        {
            var snapshot = new UpstreamHealth(new PickupTransport(dir), TimeProvider.System).Snapshot();

            Assert.Equal("pickup", snapshot.Transport);
            Assert.Equal(new DirectoryInfo(dir).FullName, snapshot.Target);
            Assert.False(snapshot.CircuitBreakerEnabled);
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public void Circuit_OpenedHalfOpenedClosed_StateTimesAndOpenUntilFollow()
    {
        var start = new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
        var time = new SteppedTime(start);
        var health = new UpstreamHealth(Smtp("mx.corp.example", 25), time);

        health.CircuitOpened(TimeSpan.FromSeconds(30));
        var open = health.Snapshot();
        time.Now = start.AddSeconds(31);
        health.CircuitHalfOpened();
        var half = health.Snapshot();
        time.Now = start.AddSeconds(32);
        health.CircuitClosed();
        var closed = health.Snapshot();

        Assert.Equal((UpstreamCircuitState.Open, start, start.AddSeconds(30)), (open.Circuit, open.CircuitChangedAt!.Value, open.CircuitOpenUntil!.Value));
        Assert.Equal((UpstreamCircuitState.HalfOpen, start.AddSeconds(31), (DateTimeOffset?)null), (half.Circuit, half.CircuitChangedAt!.Value, half.CircuitOpenUntil));
        Assert.Equal((UpstreamCircuitState.Closed, start.AddSeconds(32), (DateTimeOffset?)null), (closed.Circuit, closed.CircuitChangedAt!.Value, closed.CircuitOpenUntil));
        Assert.Equal(UpstreamCircuitState.Closed, health.Circuit);
        Assert.Equal("half-open", UpstreamCircuitState.HalfOpen.Name());
    }

    [Fact]
    public void Failed_ReplyEchoingAddresses_AddressesMaskedReplyKept()
    {
        var health = new UpstreamHealth(Smtp("mx.corp.example", 25), TimeProvider.System);

        health.Failed("451 4.7.1 <zebediah.quill@ext.example>: Recipient address rejected: try again later; from=<clerk@corp.example> \"John Smith\"@ext.example");

        var snapshot = health.Snapshot();
        Assert.NotNull(snapshot.LastFailureAt);
        Assert.Equal("451 4.7.1 <address>: Recipient address rejected: try again later; from=<address> <address>", snapshot.LastFailureReply);
    }

    [Theory]
    [InlineData("550 5.1.1 bob@ext.example... User unknown", "550 5.1.1 <address> User unknown")]
    [InlineData("4.4.1 upstream Connect: SocketException", "4.4.1 upstream Connect: SocketException")]
    [InlineData("421 4.3.2 line one\r\nline two\ttab", "421 4.3.2 line one  line two tab")]
    public void Scrub_Examples(string reply, string expected) => Assert.Equal(expected, UpstreamHealth.Scrub(reply));

    [Fact]
    public void Scrub_LongReply_BoundedAndAnAddressCutAtTheInputBoundDroppedWhole()
    {
        // The @ of the second address lies past the 1,024 characters scrubbed; its local part must not survive the cut.
        string reply = "451 <" + new string('a', 1000) + "@x.example> abcdefghij@ext.example";

        Assert.Equal("451 <address>", UpstreamHealth.Scrub(reply));
        Assert.Equal(200, UpstreamHealth.Scrub("451 " + new string('x', 500)).Length);
    }

    private sealed class SteppedTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

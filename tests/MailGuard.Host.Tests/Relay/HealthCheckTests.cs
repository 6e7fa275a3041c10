using MailGuard.Host.Tests.Infrastructure;

namespace MailGuard.Host.Tests.Relay;

public sealed class HealthCheckTests
{
    [Fact]
    public async Task HealthCheck_RelayGreeting_Exit0_NothingListening_Exit1()
    {
        await using var relay = await TestRelay.StartAsync();
        var output = new StringWriter();
        Assert.Equal(0, Cli.Run(["healthcheck", $"--Relay:Listen:0=127.0.0.1:{relay.Port}"], output, new StringWriter()));
        Assert.Contains("220", output.ToString(), StringComparison.Ordinal);

        var errors = new StringWriter();
        Assert.Equal(1, Cli.Run(["healthcheck", $"--Relay:Listen:0=127.0.0.1:{TestMessages.FreePort()}"], new StringWriter(), errors));
        Assert.Contains("unhealthy", errors.ToString(), StringComparison.Ordinal);
    }
}

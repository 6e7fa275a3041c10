using System.Text.Json;
using MailGuard.Core.Store;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Commands;

public sealed class QueueCommandTests
{
    [Fact]
    public async Task ListRetryDelete_AgainstRunningRelaysStore()
    {
        // A dead smart host and a long backoff keep the message queued.
        await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?>
        {
            ["Delivery:Mode"] = "Smtp",
            ["Delivery:Smtp:Host"] = "127.0.0.1",
            ["Delivery:Smtp:Port"] = TestMessages.FreePort().ToString(),
            ["Delivery:Smtp:StartTls"] = "None",
            ["Delivery:MinBackoff"] = "01:00:00",
            ["Delivery:MaxBackoff"] = "02:00:00",
        });
        var result = await TestMessages.SendAsync(relay.Port, "sender@example.org", ["a@example.com", "b@example.com"], TestMessages.Build("queued"));
        string id = result.Reply!.Value.Text["Ok: queued as ".Length..];
        await Wait.UntilAsync(async () => (await relay.Store.ListAsync(new QueueQuery())).All(e => e.Attempts == 1));
        string storage = "--Storage:Directory=" + relay.Options.Storage.Directory;

        var (code, text) = Run("queue", "list", "--json", storage);
        Assert.Equal(0, code);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using (var first = JsonDocument.Parse(lines[0]))
        {
            Assert.Equal(id, first.RootElement.GetProperty("id").GetString());
            Assert.Equal("queued", first.RootElement.GetProperty("status").GetString());
            Assert.Equal(1, first.RootElement.GetProperty("attempts").GetInt32());
            Assert.Contains("4.4.1", first.RootElement.GetProperty("lastReply").GetString(), StringComparison.Ordinal);
        }

        (code, text) = Run("queue", "list", storage);
        Assert.Equal(0, code);
        Assert.Contains("2 entries, 2 queued", text, StringComparison.Ordinal);

        (code, text) = Run("queue", "retry", id, storage);
        Assert.Equal(0, code);
        Assert.Contains("2 queued entries due now", text, StringComparison.Ordinal);

        (code, text) = Run("queue", "delete", id, "--json", storage);
        Assert.Equal(0, code);
        Assert.Contains("\"action\":\"delete\"", text, StringComparison.Ordinal);
        Assert.Empty(await relay.Store.ListAsync(new QueueQuery()));
        Assert.False(File.Exists(Path.Combine(relay.Options.Storage.Directory, "spool", id + ".eml")));

        (code, _) = Run("queue", "delete", id, storage);
        Assert.Equal(1, code);
        (code, _) = Run("queue", "retry", "../../etc", storage);
        Assert.Equal(2, code);
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Run(args, stdout, stderr);
        return (code, stdout.ToString() + stderr.ToString());
    }
}

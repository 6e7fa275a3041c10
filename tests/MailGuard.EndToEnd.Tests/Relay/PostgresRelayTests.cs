using System.Text;
using MailGuard.Core.Store;
using MailGuard.Smtp.Client;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.EndToEnd.Tests.Relay;

/// <summary>Two relays (nodes) sharing one PostgreSQL store, each with its own spool and pickup directory.</summary>
public sealed class PostgresRelayTests
{
    private static Task<TestRelay> StartNodeAsync(string node, string connectionString) => TestRelay.StartAsync(
        new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = connectionString,
            // Every message through the spool file: the path where a node-local file must reach the database.
            ["Storage:InlineContentBytes"] = "0",
            ["Delivery:NodeName"] = node,
        },
        services =>
        {
            services.AddSingleton(TestPolicies.ShippedForCorp(("Policy:Rules:0:NotifySender", "false")));
            services.AddSingleton<IMessageDisposition, InspectingDisposition>();
        });

    private static byte[] Message(string to, string body) => Encoding.UTF8.GetBytes(
        $"From: Clerk <clerk@corp.example>\r\nTo: {to}\r\nSubject: Applications\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <pg1@corp.example>\r\n\r\n{body}\r\n");

    [PostgresFact]
    public async Task HeldOnNodeA_ReleasedFromCliAndNodeBAtOnce_DeliveredOnceWithOriginalBytes()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var nodeA = await StartNodeAsync("node-a", database.ConnectionString);
        await using var nodeB = await StartNodeAsync("node-b", database.ConnectionString);
        var recipients = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();
        byte[] original = Message(string.Join(", ", recipients), "Dear applicant");

        var result = await TestMessages.SendAsync(nodeA.Port, "clerk@corp.example", recipients, original);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        string id = result.Reply!.Value.Text["Ok: held for review as ".Length..];
        // The bytes are in the database; node A's spool keeps no copy.
        Assert.Empty(Directory.GetFiles(Path.Combine(nodeA.Options.Storage.Directory, "spool")));
        var cli = Task.Run(() => Cli.Run(
            ["quarantine", "release", id, "--reason", "approved", "--Storage:Provider=Postgres", $"--Storage:ConnectionString={database.ConnectionString}", $"--Storage:Directory={nodeB.Options.Storage.Directory}"],
            new StringWriter(),
            new StringWriter()));
        var fromB = ((IQuarantineStore)nodeB.Store).ReleaseAsync(id, "reviewer@node-b", "approved");
        int cliCode = await cli;
        var decision = await fromB;

        Assert.True(decision.Applied ^ (cliCode == 0), $"node B applied: {decision.Applied}, CLI exit: {cliCode}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        List<PickedUp> delivered;
        do
        {
            await Task.Delay(100);
            delivered = [.. PickedUp.ReadAll(nodeA.PickupDirectory), .. PickedUp.ReadAll(nodeB.PickupDirectory)];
        }
        while (delivered.Count == 0 && DateTime.UtcNow < deadline);

        await nodeA.WaitForQueueDrainedAsync(); // one store: nothing more is waiting on either node
        delivered = [.. PickedUp.ReadAll(nodeA.PickupDirectory), .. PickedUp.ReadAll(nodeB.PickupDirectory)];
        var message = Assert.Single(delivered);
        Assert.Equal("clerk@corp.example", message.MailFrom);
        Assert.Equal(recipients.Order(StringComparer.Ordinal), message.RcptTo.Order(StringComparer.Ordinal));
        Assert.Equal(original, message.WithoutTraceHeader());
    }
}

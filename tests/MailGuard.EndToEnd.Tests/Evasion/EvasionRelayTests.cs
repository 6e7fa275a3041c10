using MailGuard.Core.Store;
using MailGuard.Smtp.Client;
using MailGuard.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.EndToEnd.Tests.Evasion;

/// <summary>
/// Every carrier of the evasion corpus, sent through the relay over SMTP with the shipped policy,
/// is held in quarantine; every control is delivered. One relay for the lot (a relay per message
/// would only measure start-up).
/// </summary>
public sealed class EvasionRelayTests
{
    [Fact]
    public async Task Relay_EvasionCarriers_AreHeldAndControlsDelivered()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoPaths.Root, "config", "mailguard.json"))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Policy:InternalDomains:0"] = EvasionCorpus.InternalDomain })
            .Build();
        var errors = new List<string>();
        var policy = MailGuard.Host.Configuration.PolicyBinding.Bind(configuration, errors);
        Assert.Empty(errors);
        await using var relay = await TestRelay.StartAsync(configure: services =>
        {
            services.AddSingleton(policy);
            services.AddSingleton<IMessageDisposition, InspectingDisposition>();
        });

        var problems = new List<string>();
        foreach (string file in EvasionCorpus.Carriers)
        {
            byte[] bytes = await File.ReadAllBytesAsync(file);
            var (from, to) = EvasionCorpus.Envelope(bytes);
            var result = await TestMessages.SendAsync(relay.Port, from, to, bytes);
            string text = result.Reply?.Text ?? result.Outcome.ToString();
            if (!text.StartsWith("Ok: held for review as ", StringComparison.Ordinal))
            {
                problems.Add($"{Path.GetFileName(file)}: not held; relay said {text}");
                continue;
            }

            var record = await ((IQuarantineStore)relay.Store).GetQuarantineAsync(text["Ok: held for review as ".Length..]);
            if (record is null || record.Status != QuarantineStatus.Held)
            {
                problems.Add($"{Path.GetFileName(file)}: said held but no quarantine record");
            }
        }

        int delivered = 0;
        foreach (string file in EvasionCorpus.Controls)
        {
            byte[] bytes = await File.ReadAllBytesAsync(file);
            var (from, to) = EvasionCorpus.Envelope(bytes);
            var result = await TestMessages.SendAsync(relay.Port, from, to, bytes);
            if (result.Outcome != DeliveryOutcome.Delivered || result.Reply?.Text.StartsWith("Ok: held", StringComparison.Ordinal) == true)
            {
                problems.Add($"{Path.GetFileName(file)}: control not delivered; relay said {result.Reply?.Text ?? result.Outcome.ToString()}");
            }
            else
            {
                delivered++;
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(EvasionCorpus.Carriers.Count >= 40, $"only {EvasionCorpus.Carriers.Count} carriers");
        // The controls really went out (notices about held carriers come from "<>", so they are not counted).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        int relayed;
        while ((relayed = PickedUp.ReadAll(relay.PickupDirectory).Count(p => p.MailFrom.Length > 0)) < delivered && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(delivered, relayed);
    }
}

using System.Text.Json;
using MailGuard.Core.Store;
using MailGuard.Mime;
using MailGuard.Smtp.Client;
using MailGuard.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.EndToEnd.Tests.Relay;

/// <summary>
/// Every message of ../shared/corpus/dlp sent through the relay over SMTP ends where its label and
/// the shipped default policy say: flagged mail in quarantine, clean mail in the pickup directory.
/// </summary>
public sealed class DlpCorpusRelayTests
{
    [SharedCorpusFact("dlp")]
    public async Task Relay_DlpCorpus_EachMessageEndsInItsDisposition()
    {
        using var labels = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.DlpCorpus, "labels.json")));
        var settings = new Dictionary<string, string?>();
        int i = 0;
        foreach (var d in labels.RootElement.GetProperty("internal_domains").EnumerateArray())
        {
            settings[$"Policy:InternalDomains:{i++}"] = d.GetString();
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoPaths.Root, "config", "mailguard.json"))
            .AddInMemoryCollection(settings)
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
        int clean = 0;
        foreach (var m in labels.RootElement.GetProperty("messages").EnumerateArray())
        {
            string file = m.GetProperty("file").GetString()!;
            bool flag = m.GetProperty("verdict").GetString() == "flag";
            byte[] bytes = File.ReadAllBytes(Path.Combine(RepoPaths.DlpCorpus, file));
            string from;
            string[] rcpts;
            using (var doc = MimeDocument.Load(bytes))
            {
                from = doc.Message.From.FirstOrDefault()?.Address ?? "sender@homeoffice.example.gov.uk";
                rcpts = doc.Message.To.Concat(doc.Message.Cc).Concat(doc.Message.Bcc).Select(a => a.Address).Where(a => a.Contains('@')).Distinct().ToArray();
            }

            if (rcpts.Length == 0)
            {
                rcpts = [from];
            }

            var result = await TestMessages.SendAsync(relay.Port, from, rcpts, bytes);
            string text = result.Reply?.Text ?? result.Outcome.ToString();
            bool held = text.StartsWith("Ok: held for review as ", StringComparison.Ordinal);
            if (flag && !held)
            {
                problems.Add($"{file}: labelled flag, relay said {text}");
            }
            else if (!flag && (held || result.Outcome != DeliveryOutcome.Delivered))
            {
                problems.Add($"{file}: labelled clean, relay said {text}");
            }
            else if (held)
            {
                string id = text["Ok: held for review as ".Length..];
                var record = await ((IQuarantineStore)relay.Store).GetQuarantineAsync(id);
                if (record is null || record.Status != QuarantineStatus.Held)
                {
                    problems.Add($"{file}: said held but no quarantine record");
                }
            }
            else
            {
                clean++;
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // Clean mail is delivered (flagged mail adds only notices from "<>").
        var deadline = DateTime.UtcNow.AddSeconds(60);
        int relayed;
        while ((relayed = PickedUp.ReadAll(relay.PickupDirectory).Count(p => p.MailFrom.Length > 0)) < clean && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(clean, relayed);
    }
}

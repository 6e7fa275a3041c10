using System.Text;
using MailGuard.Mime;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.Host.Tests.Commands;

/// <summary>
/// `mailguard quarantine show ID` names rows as a spreadsheet numbers them (the header is row 1,
/// the first person row 2), as the console's message page and the sender's notice do for the same hold.
/// </summary>
public sealed class QuarantineShowTests
{
    private const string Sender = "hr@corp.example";

    [Fact]
    public async Task Show_TableHold_RowsAsTheConsoleAndTheNoticeNumberThem()
    {
        await using var console = await ConsoleHarness.StartAsync(configure: services =>
            services.AddSingleton(TestPolicies.ShippedForCorp(("Policy:Rules:0:NotifySender", "false"), ("Policy:Rules:2:NotifySender", "false"))));
        string id = await console.HoldAsync(Sender, ["someone@partner.example"], HeldMail.PersonalData("Claimants", "someone@partner.example", Sender));

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, Cli.Run(["quarantine", "show", id, $"--Storage:Directory={console.Relay.Options.Storage.Directory}"], stdout, stderr));
        string shown = stdout.ToString();
        Assert.Contains("claimants.csv, row 2", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("row 1", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("row 3", shown, StringComparison.Ordinal);

        var reviewer = await console.LoginAsync(MailGuard.Core.Store.ConsoleRole.Reviewer);
        string page = await reviewer.PageAsync("/messages/" + id);
        Assert.Contains("claimants.csv, row 2", page, StringComparison.Ordinal);

        string notice = await NoticeToAsync(console, Sender);
        Assert.Contains("from row 2", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("row 3", notice, StringComparison.Ordinal);
    }

    private static async Task<string> NoticeToAsync(ConsoleHarness console, string to)
    {
        PickedUp? found = null;
        await Wait.UntilAsync(() =>
        {
            found = PickedUp.ReadAll(console.Relay.PickupDirectory).FirstOrDefault(p => p.MailFrom.Length == 0 && p.RcptTo.Contains(to));
            return Task.FromResult(found is not null);
        });
        using var doc = MimeDocument.Load(found!.Content);
        var all = new StringBuilder();
        foreach (var part in doc.Message.Body.DescendantsAndSelf().Where(e => e.ContentType.MediaType == "text"))
        {
            using var s = part.OpenDecodedContent();
            all.Append(new StreamReader(s, Encoding.UTF8).ReadToEnd()).Append('\n');
        }

        return all.ToString();
    }
}

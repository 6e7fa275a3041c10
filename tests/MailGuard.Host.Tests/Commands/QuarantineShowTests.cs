using System.Text;
using MailGuard.Mime;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.Host.Tests.Commands;

/// <summary>
/// `mailguard quarantine show ID` names rows as a spreadsheet numbers them (the header is row 1,
/// the first person row 2), as the console's message page and the sender's notice do for the same
/// hold: a table's people by the rows they are on ("rows 2-7" for a header and six people), a
/// value's finding by the cell it starts in.
/// </summary>
public sealed class QuarantineShowTests
{
    private const string Sender = "hr@corp.example";

    [Fact]
    public async Task Show_TableHold_RowsAsTheConsoleAndTheNoticeNumberThem_PeopleAsARange()
    {
        await using var console = await ConsoleHarness.StartAsync(configure: services =>
            services.AddSingleton(TestPolicies.ShippedForCorp(("Policy:Rules:0:NotifySender", "false"), ("Policy:Rules:2:NotifySender", "false"))));
        string id = await console.HoldAsync(Sender, ["someone@partner.example"], HeldMail.PersonalData("Claimants", "someone@partner.example", Sender));

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, Cli.Run(["quarantine", "show", id, $"--Storage:Directory={console.Relay.Options.Storage.Directory}"], stdout, stderr));
        string shown = stdout.ToString();
        Assert.Contains("personal-data: 6 rows: name, date of birth, NI number, NHS number", shown, StringComparison.Ordinal);
        Assert.Contains("in claimants.csv, rows 2-7\n", shown.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("in claimants.csv, row 2, column 3\n", shown.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("row 1", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("row 3", shown, StringComparison.Ordinal);

        var reviewer = await console.LoginAsync(MailGuard.Core.Store.ConsoleRole.Reviewer);
        string page = await reviewer.PageAsync("/messages/" + id);
        Assert.Contains("<td>claimants.csv, rows 2-7</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td>claimants.csv, row 2, column 3</td>", page, StringComparison.Ordinal);

        string notice = await NoticeToAsync(console, Sender);
        Assert.Contains("Personal data about 6 people: name, date of birth, NI number, NHS number, for example 14/**/19**, 02/**/19**, 23/**/19** (rows 2-7).", notice, StringComparison.Ordinal);
        Assert.Contains("6 National Insurance numbers, for example AB****56C, CE****67A, JK****78B (from row 2).", notice, StringComparison.Ordinal);
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

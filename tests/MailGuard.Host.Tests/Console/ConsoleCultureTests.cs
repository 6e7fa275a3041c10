using System.Globalization;
using MailGuard.Core.Store;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCultureCollection
{
    public const string Name = "process culture";
}

/// <summary>
/// The console formats numbers and times the same on every server: a process whose culture is
/// fi-FI (LANG=fi_FI.UTF-8) must not turn "3,729" into "3 729" or "10:00:00" into "10.00.00".
/// Runs alone: it changes the culture of every thread-pool thread.
/// </summary>
[Collection(ProcessCultureCollection.Name)]
public sealed class ConsoleCultureTests
{
    [Fact]
    public async Task ServerCultureFinnish_MessagePageFormatsInvariantly()
    {
        var saved = CultureInfo.DefaultThreadCurrentCulture;
        try
        {
            await using var console = await ConsoleHarness.StartAsync();
            var to = HeldMail.External(12);
            string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Rota", to, new string('x', 3000)));
            var record = (await console.Quarantine.GetQuarantineAsync(id))!;
            var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
            CultureInfo.DefaultThreadCurrentCulture = new CultureInfo("fi-FI");
            string page = await reviewer.PageAsync("/messages/" + id);
            string audit = await reviewer.PageAsync("/audit?message=" + id);
            Assert.Contains(record.Size.ToString("N0", CultureInfo.InvariantCulture) + " bytes", page, StringComparison.Ordinal);
            Assert.Contains(record.HeldAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), page, StringComparison.Ordinal);
            // The audit log's "hold" event carries the hold's own instant (the store stamps it), so
            // this holds to the second however long the write waited for the store's writer.
            Assert.Contains(record.HeldAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), audit, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.DefaultThreadCurrentCulture = saved;
        }
    }
}

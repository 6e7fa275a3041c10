using MailGuard.Core.Store;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.EndToEnd.Tests.Deployment;

/// <summary>
/// A fact that needs a private Postfix instance: skipped with the reason when Postfix is missing
/// or the tests do not run as root, except under CI=true, where the test runs and fails.
/// </summary>
internal sealed class PostfixFactAttribute : FactAttribute
{
    public PostfixFactAttribute()
    {
        if (PostfixInstance.Unavailable() is { } reason && !MailGuard.Testing.RepoPaths.IsCi)
        {
            Skip = reason + "; runs in CI";
        }
    }
}

/// <summary>What both Postfix positions share: MailGuard from a admin guide recipe, the test mail, and waiting with a deadline.</summary>
internal static class PostfixScenario
{
    public const string Sender = "alice@corp.example";

    /// <summary>
    /// MailGuard in-process with the admin guide's mailguard.json recipe and the shipped policy, on an
    /// ephemeral loopback port, delivering by SMTP to <paramref name="smartHostPort"/> on 127.0.0.1.
    /// </summary>
    public static async Task<TestRelay> StartMailGuardAsync(string recipe, int smartHostPort)
    {
        var settings = DocsRecipe.Settings(recipe);
        foreach (string key in new[] { "Relay:Listen:0", "Delivery:Mode", "Delivery:Smtp:Host", "Delivery:Smtp:Port" })
        {
            Assert.True(settings.ContainsKey(key), $"admin guide recipe '{recipe}' no longer sets {key}");
        }

        Assert.Equal("Smtp", settings["Delivery:Mode"]);
        settings["Relay:Listen:0"] = "127.0.0.1:0";
        settings["Delivery:Smtp:Host"] = "127.0.0.1";
        settings["Delivery:Smtp:Port"] = smartHostPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var policy = TestPolicies.ShippedForCorp(settings.Where(kv => kv.Key.StartsWith("Policy:", StringComparison.OrdinalIgnoreCase)).Select(kv => (kv.Key, kv.Value!)).ToArray());
        Assert.Contains("corp.example", policy.InternalDomains);
        return await TestRelay.StartAsync(
            settings.Where(kv => !kv.Key.StartsWith("Policy:", StringComparison.OrdinalIgnoreCase)).ToDictionary(),
            services =>
            {
                services.AddSingleton(policy);
                services.AddSingleton<IMessageDisposition, InspectingDisposition>();
            });
    }

    /// <summary>A plain message as a local submission (LF line ends, as sendmail reads it).</summary>
    public static string Message(string subject, IEnumerable<string> to, string body = "Thanks for the meeting; the minutes follow next week.") =>
        $"From: Alice <{Sender}>\nTo: {string.Join(", ", to)}\nSubject: {subject}\nMessage-ID: <{Guid.NewGuid():N}@corp.example>\n\n{body}\n";

    /// <summary>Twelve external people who can all see each other's addresses: the shipped exposed-recipients rule holds this.</summary>
    public static string[] ExposedRecipients { get; } = Enumerable.Range(0, 12).Select(i => $"partner{i}@ext{i % 4}.example").ToArray();

    public static async Task<IReadOnlyList<QuarantineRecord>> HeldAsync(TestRelay relay) =>
        await ((IQuarantineStore)relay.Store).ListQuarantineAsync(QuarantineStatus.Held, 100);

    /// <summary>Polls <paramref name="condition"/> until it holds or 45 s pass; the failure message carries the logs.</summary>
    public static async Task WaitAsync(string what, Func<Task<bool>> condition, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {what}\n{diagnostics()}");
            await Task.Delay(100);
        }
    }
}

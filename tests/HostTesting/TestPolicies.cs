using MailGuard.Core.Policy;
using MailGuard.Host;
using MailGuard.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace MailGuard.Testing;

/// <summary>The shipped policy (config/mailguard.json) with test overrides, bound as `mailguard run` binds it.</summary>
internal static class TestPolicies
{
    public static PolicyOptions Shipped(IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(MailGuard.Testing.RepoPaths.Root, "config", "mailguard.json"))
            .AddInMemoryCollection(overrides)
            .Build();
        var errors = new List<string>();
        var policy = PolicyBinding.Bind(configuration, errors);
        Assert.Empty(errors);
        return policy;
    }

    /// <summary>The shipped policy with corp.example as the internal domain, plus overrides.</summary>
    public static PolicyOptions ShippedForCorp(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?> { ["Policy:InternalDomains:0"] = "corp.example" };
        foreach (var (k, v) in overrides)
        {
            settings[k] = v;
        }

        return Shipped(settings);
    }
}

/// <summary>Waiting for the event that proves an outcome, never a fixed sleep.</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}

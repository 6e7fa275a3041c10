using MailGuard.Core.Policy;
using MailGuard.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace MailGuard.Host.Tests.Infrastructure;

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
}

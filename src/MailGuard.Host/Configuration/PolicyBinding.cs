using MailGuard.Core.Policy;

namespace MailGuard.Host.Configuration;

/// <summary>
/// Binds `Policy`. The domain lists come whole from the highest-precedence source that sets them.
/// The rule list comes from the highest source that names rules (sets some Policy:Rules:N:Name):
/// overlaying an operator's rule 0 onto the shipped rule 0 would mix two rules into one. Sources
/// above it that only set fields of existing rules (--Policy:Rules:0:Action=RewriteBcc) adjust
/// those rules. Misspelt keys are errors, so a typo cannot silently leave a threshold at its
/// default.
/// </summary>
internal static class PolicyBinding
{
    public static PolicyOptions Bind(IConfigurationRoot root, List<string> errors)
    {
        var options = new PolicyOptions();
        var defaults = options.PersonalMailboxDomains.ToList();
        try
        {
            // The domain lists are read whole below. Left in, a list given as one comma-separated
            // value (MAILGUARD_Policy__InternalDomains=a.example,b.example) makes the binder fail
            // to convert a string to a list before that code runs.
            var scalars = new ConfigurationBuilder()
                .AddInMemoryCollection(root.GetSection("Policy").AsEnumerable().Where(kv => !IsUnder(kv.Key, "Policy:InternalDomains") && !IsUnder(kv.Key, "Policy:PersonalMailboxDomains")))
                .Build();
            scalars.GetSection("Policy").Bind(options, o => o.ErrorOnUnknownConfiguration = true);
            options.InternalDomains = Whole<List<string>>(root, "Policy:InternalDomains") ?? [];
            options.PersonalMailboxDomains = Whole<List<string>>(root, "Policy:PersonalMailboxDomains") ?? defaults;
            options.Rules = Rules(root);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add("Policy: " + (ex.InnerException?.Message ?? ex.Message));
            return options;
        }

        errors.AddRange(options.Validate());
        return options;
    }

    private static List<PolicyRule> Rules(IConfigurationRoot root)
    {
        var providers = root.Providers.ToList();
        for (int i = providers.Count - 1; i >= 0; i--)
        {
            var p = providers[i];
            bool namesRules = p.GetChildKeys([], "Policy:Rules").Distinct(StringComparer.OrdinalIgnoreCase)
                .Any(k => p.TryGet($"Policy:Rules:{k}:Name", out _));
            if (namesRules)
            {
                var layered = new ConfigurationRoot(providers.Skip(i).ToList());
                return layered.GetSection("Policy:Rules").Get<List<PolicyRule>>(o => o.ErrorOnUnknownConfiguration = true) ?? [];
            }
        }

        return [];
    }

    private static bool IsUnder(string key, string path) =>
        key.Equals(path, StringComparison.OrdinalIgnoreCase) || key.StartsWith(path + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase);

    private static T? Whole<T>(IConfigurationRoot root, string path)
        where T : class
    {
        foreach (var provider in root.Providers.Reverse())
        {
            bool single = provider.TryGet(path, out string? value) && value is not null;
            if (!single && !provider.GetChildKeys([], path).Any())
            {
                continue;
            }

            var only = new ConfigurationRoot([provider]);
            if (single && typeof(T) == typeof(List<string>))
            {
                return (T)(object)value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            }

            return only.GetSection(path).Get<T>(o => o.ErrorOnUnknownConfiguration = true);
        }

        return null;
    }
}

using MailGuard.Core.Policy;
using Microsoft.Extensions.Configuration;

namespace MailGuard.Host.Configuration;

/// <summary>
/// Binds `Policy`. Lists (the rules, the domain lists) come whole from the highest-precedence
/// source that sets them: overlaying rule 0 of an operator's file onto rule 0 of the shipped file
/// would mix two rules into one. Misspelt keys are errors, so a typo cannot silently leave a
/// threshold at its default.
/// </summary>
internal static class PolicyBinding
{
    public static PolicyOptions Bind(IConfigurationRoot root, List<string> errors)
    {
        var options = new PolicyOptions();
        var defaults = options.PersonalMailboxDomains.ToList();
        try
        {
            root.GetSection("Policy").Bind(options, o => o.ErrorOnUnknownConfiguration = true);
            options.InternalDomains = Whole<List<string>>(root, "Policy:InternalDomains") ?? [];
            options.PersonalMailboxDomains = Whole<List<string>>(root, "Policy:PersonalMailboxDomains") ?? defaults;
            options.Rules = Whole<List<PolicyRule>>(root, "Policy:Rules") ?? [];
        }
        catch (InvalidOperationException ex)
        {
            errors.Add("Policy: " + (ex.InnerException?.Message ?? ex.Message));
            return options;
        }

        errors.AddRange(options.Validate());
        return options;
    }

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

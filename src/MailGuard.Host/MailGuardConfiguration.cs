using MailGuard.Core.Policy;
using Microsoft.Extensions.Configuration;

namespace MailGuard.Host;

/// <summary>
/// Configuration as ARCHITECTURE.md specifies: config/mailguard.json (beside the executable,
/// or --config FILE), then MAILGUARD_Section__Key environment variables, then --Section:Key=value.
/// </summary>
internal static class MailGuardConfiguration
{
    public static string DefaultConfigPath => Path.Combine(AppContext.BaseDirectory, "config", "mailguard.json");

    /// <summary>Builds the configuration; <paramref name="rest"/> receives the arguments that are not settings.</summary>
    public static IConfigurationRoot Build(ReadOnlySpan<string> args, out List<string> rest, out string? configError)
    {
        rest = new List<string>();
        var settings = new List<string>();
        string? configFile = null;
        configError = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--config" && i + 1 < args.Length)
            {
                configFile = args[++i];
            }
            else if (a.StartsWith("--config=", StringComparison.Ordinal))
            {
                configFile = a["--config=".Length..];
            }
            else if (a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':'))
            {
                settings.Add(a);
            }
            else
            {
                rest.Add(a);
            }
        }

        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                configError = $"configuration file not found: {configFile}";
            }
            else
            {
                builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
            }
        }
        else
        {
            builder.AddJsonFile(DefaultConfigPath, optional: true, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables("MAILGUARD_");
        builder.AddCommandLine(settings.ToArray());
        return builder.Build();
    }

    public static PolicyOptions BindPolicy(IConfiguration configuration)
    {
        var section = configuration.GetSection("Policy");
        var options = new PolicyOptions();
        bool customPersonal = section.GetSection("PersonalMailboxDomains").GetChildren().Any();
        if (customPersonal)
        {
            // The binder appends to a pre-filled list; a configured list replaces the default.
            options.PersonalMailboxDomains.Clear();
        }

        section.Bind(options);
        return options;
    }
}

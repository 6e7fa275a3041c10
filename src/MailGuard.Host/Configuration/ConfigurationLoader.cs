namespace MailGuard.Host.Configuration;

/// <summary>
/// Configuration in increasing precedence: config/mailguard.json beside the executable (the shipped
/// defaults; optional, the options classes hold the same values), the file named by --config,
/// MAILGUARD_Section__Key environment variables, and --Section:Key=value arguments.
/// </summary>
internal static class ConfigurationLoader
{
    public const string EnvironmentPrefix = "MAILGUARD_";

    /// <summary>Splits `--config FILE` from the rest; returns false with a message on a usage error.</summary>
    public static bool TryLoad(ReadOnlySpan<string> args, out IConfigurationRoot configuration, out List<string> remaining, out string? error)
    {
        string? configFile = null;
        remaining = [];
        error = null;
        configuration = null!;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--config")
            {
                if (i + 1 >= args.Length)
                {
                    error = "--config needs a file";
                    return false;
                }

                configFile = args[++i];
            }
            else if (a.StartsWith("--config=", StringComparison.Ordinal))
            {
                configFile = a["--config=".Length..];
            }
            else
            {
                remaining.Add(a);
            }
        }

        if (configFile is not null && !File.Exists(configFile))
        {
            error = $"configuration file not found: {configFile}";
            return false;
        }

        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "config", "mailguard.json"), optional: true, reloadOnChange: false);
        if (configFile is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        // Only --Key=value pairs are configuration; anything else is left for the verb.
        var settings = remaining.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray();
        remaining = remaining.Where(a => !settings.Contains(a)).ToList();
        builder.AddCommandLine(settings);
        configuration = builder.Build();
        return true;
    }

    /// <summary>Binds and validates; all problems together.</summary>
    public static MailGuardOptions Bind(IConfigurationRoot configuration, out List<string> errors)
    {
        errors = [];
        var options = new MailGuardOptions();
        OptionsBinder.Bind(configuration, configuration.GetSection("Relay"), options.Relay, errors);
        OptionsBinder.Bind(configuration, configuration.GetSection("Delivery"), options.Delivery, errors);
        OptionsBinder.Bind(configuration, configuration.GetSection("Storage"), options.Storage, errors);
        OptionsBinder.Bind(configuration, configuration.GetSection("Quarantine"), options.Quarantine, errors);
        OptionsBinder.Bind(configuration, configuration.GetSection("Console"), options.Console, errors);
        OptionsBinder.Bind(configuration, configuration.GetSection("Inspection"), options.Inspection, errors);
        OptionsBinder.Bind(configuration, configuration.GetSection("Check"), options.Check, errors);
        OptionsBinder.Bind(configuration, configuration.GetSection("Addin"), options.Addin, errors);
        errors.AddRange(MailGuardOptionsValidator.Validate(options));
        return options;
    }
}

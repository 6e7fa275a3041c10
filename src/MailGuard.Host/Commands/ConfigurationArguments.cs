using MailGuard.Host.Configuration;

namespace MailGuard.Host.Commands;

/// <summary>
/// What a verb that reads configuration was given for it: the `--config FILE` option and the
/// `--Section:Key=value` settings, handed to <see cref="ConfigurationLoader"/> as they were typed so
/// the precedence (shipped file, --config, MAILGUARD_ variables, settings) stays the loader's.
/// </summary>
internal sealed record ConfigurationArguments(string? File, IReadOnlyList<string> Settings)
{
    public static ConfigurationArguments None { get; } = new(null, []);

    /// <summary>
    /// Takes the settings out of <paramref name="args"/> before System.CommandLine sees them: their
    /// names are open-ended (any key the options classes bind), so no option can declare them, and
    /// left in place a verb with a PATH... argument would read them as paths.
    /// </summary>
    public static (string[] Others, List<string> Settings) Extract(IEnumerable<string> args)
    {
        var rest = new List<string>();
        var settings = new List<string>();
        foreach (string a in args)
        {
            (IsSetting(a) ? settings : rest).Add(a);
        }

        return (rest.ToArray(), settings);
    }

    /// <summary>`--Section:Key=value`: a `--` token whose name holds a ':' before the first '='.</summary>
    public static bool IsSetting(string token)
    {
        if (!token.StartsWith("--", StringComparison.Ordinal))
        {
            return false;
        }

        int equals = token.IndexOf('=', StringComparison.Ordinal);
        int colon = token.IndexOf(':', StringComparison.Ordinal);
        return equals > 0 && colon > 2 && colon < equals;
    }

    /// <summary>The loader's own parse of `--config FILE` and the settings; false with its message on a missing file.</summary>
    public bool TryLoad(out IConfigurationRoot configuration, out string? error)
    {
        string[] args = File is null ? [.. Settings] : ["--config", File, .. Settings];
        return ConfigurationLoader.TryLoad(args, out configuration, out _, out error);
    }
}

using MailGuard.Host.Configuration;
using Microsoft.Extensions.Hosting;

namespace MailGuard.Host.Commands;

/// <summary>`mailguard run [--config FILE] [--Section:Key=value ...]`: relay and delivery worker until SIGTERM/Ctrl+C.</summary>
internal static class RunCommand
{
    public static int Run(ConfigurationArguments arguments, TextWriter stdout, TextWriter stderr)
    {
        if (!arguments.TryLoad(out var configuration, out string? usage))
        {
            stderr.WriteLine("mailguard run: " + usage);
            return 2;
        }

        var options = ConfigurationLoader.Bind(configuration, out var errors);
        var policy = PolicyBinding.Bind(configuration, errors);
        errors.AddRange(MailGuardOptionsValidator.Validate(options, policy));
        if (errors.Count > 0)
        {
            stderr.WriteLine($"mailguard run: {errors.Count} configuration problem(s):");
            foreach (string e in errors)
            {
                stderr.WriteLine("  " + e);
            }

            return 2;
        }

        using var host = MailGuardServices.BuildHost(configuration, options, policy: policy);
        try
        {
            host.Run();
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException)
        {
            // Start-up failures an operator can fix (port in use, unreadable certificate, store locked, database unreachable).
            stderr.WriteLine("mailguard run: " + ex.Message);
            return 1;
        }

        return 0;
    }
}

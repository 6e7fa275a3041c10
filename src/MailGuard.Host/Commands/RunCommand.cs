using System.Runtime.InteropServices;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;

namespace MailGuard.Host.Commands;

/// <summary>`mailguard run [--config FILE] [--Section:Key=value ...]`: relay and delivery worker until SIGTERM/Ctrl+C.</summary>
/// <remarks>
/// Exit codes: 0 only for a stop that was asked for (SIGTERM, SIGINT, SIGQUIT: systemd's stop,
/// Ctrl+C); 1 when the start failed or the host stopped by itself, which it does when a background
/// service fails for good (BackgroundServiceExceptionBehavior.StopHost). Before .NET 11 the host
/// returns normally in that case too, so without this check a dead node would exit 0 and systemd's
/// Restart=on-failure would leave it down. 2 for a configuration problem.
/// </remarks>
internal static partial class RunCommand
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
        var requested = new StopRequest();
        // Registered beside the host's own handlers (ConsoleLifetime / SystemdLifetime), which stop
        // the host; these only note that someone asked.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, requested.Signalled);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, requested.Signalled);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, requested.Signalled);
        try
        {
            // Start and wait rather than Run: Run disposes the host, and the exit code below still
            // needs its services (which background service failed, the logger).
            host.Start();
            host.WaitForShutdown();
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException || StoreFaults.IsStoreFault(ex))
        {
            // Start-up failures an operator can fix (port in use, unreadable certificate, store locked,
            // database unreachable past the start-up wait, wrong database password).
            stderr.WriteLine("mailguard run: " + ex.Message);
            return 1;
        }

        return ExitCode(host.Services, requested.Value, stderr);
    }

    /// <summary>0 for a requested stop with every background service ended cleanly; otherwise 1, with the reason on stderr and in the log.</summary>
    internal static int ExitCode(IServiceProvider services, bool stopRequested, TextWriter stderr)
    {
        var failed = services.GetServices<IHostedService>().OfType<BackgroundService>()
            .Where(s => s.ExecuteTask is { IsFaulted: true }).ToList();
        if (failed.Count == 0 && stopRequested)
        {
            return 0;
        }

        string reason = failed.Count > 0
            ? string.Join("; ", failed.Select(s => $"{s.GetType().Name} failed: {s.ExecuteTask!.Exception!.GetBaseException().Message}"))
            : "the host stopped without a stop signal";
        LogUnrequestedStop(services.GetRequiredService<ILoggerFactory>().CreateLogger("MailGuard.Host.Commands.RunCommand"), reason);
        stderr.WriteLine($"mailguard run: stopped unexpectedly ({reason}); exit code 1");
        return 1;
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.UnrequestedStop, Level = LogLevel.Critical, Message = "MailGuard stopped without being asked to ({Reason}); exiting with code 1 so a supervisor restarts it")]
    private static partial void LogUnrequestedStop(ILogger logger, string reason);

    private sealed class StopRequest
    {
        private volatile bool _value;

        public bool Value => _value;

        public void Signalled(PosixSignalContext context) => _value = true;
    }
}

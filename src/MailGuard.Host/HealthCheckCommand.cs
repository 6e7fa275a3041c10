using System.Net.Sockets;
using System.Text;
using MailGuard.Host.Configuration;

namespace MailGuard.Host;

/// <summary>
/// `mailguard healthcheck [--config FILE]`: for container HEALTHCHECKs and monitoring without
/// curl. Connects to the first Relay:Listen endpoint and expects an SMTP 220 greeting within
/// five seconds. Exit 0 healthy, 1 unhealthy.
/// </summary>
internal static class HealthCheckCommand
{
    public static int Run(ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (!ConfigurationLoader.TryLoad(args, out var configuration, out _, out string? error))
        {
            stderr.WriteLine("mailguard: " + error);
            return 1;
        }

        string listen = configuration.GetSection("Relay:Listen").GetChildren().Select(c => c.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? "127.0.0.1:2525";
        int colon = listen.LastIndexOf(':');
        string host = listen[..colon].Trim('[', ']');
        if (host is "0.0.0.0" or "*" or "")
        {
            host = "127.0.0.1";
        }
        else if (host == "::")
        {
            host = "::1";
        }

        int port = int.Parse(listen[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            client.ConnectAsync(host, port, cts.Token).AsTask().GetAwaiter().GetResult();
            var stream = client.GetStream();
            var buffer = new byte[512];
            int n = stream.ReadAsync(buffer, cts.Token).AsTask().GetAwaiter().GetResult();
            string greeting = Encoding.ASCII.GetString(buffer, 0, n);
            stream.Write("QUIT\r\n"u8);
            if (greeting.StartsWith("220", StringComparison.Ordinal))
            {
                stdout.WriteLine($"healthy: {host}:{port} greets with 220");
                return 0;
            }

            stderr.WriteLine($"unhealthy: {host}:{port} answered '{greeting.Trim()}'");
            return 1;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            stderr.WriteLine($"unhealthy: {host}:{port}: {ex.Message}");
            return 1;
        }
    }
}

using System.Net.Sockets;
using System.Text;

namespace MailGuard.Host.Commands;

/// <summary>
/// `mailguard healthcheck [--config FILE]`: for container HEALTHCHECKs and monitoring without
/// curl. Connects to the first Relay:Listen endpoint and expects an SMTP 220 greeting; when
/// Console:Listen is configured, also expects GET &lt;Console:Listen&gt;/healthz to answer 200.
/// Each check gets five seconds. Exit 0 when every check passes, 1 otherwise.
/// </summary>
internal static class HealthCheckCommand
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    public static int Run(ConfigurationArguments arguments, TextWriter stdout, TextWriter stderr)
    {
        if (!arguments.TryLoad(out var configuration, out string? error))
        {
            stderr.WriteLine("mailguard: " + error);
            return 1;
        }

        bool healthy = CheckSmtp(configuration, stdout, stderr);
        if (configuration["Console:Listen"] is { Length: > 0 } console)
        {
            healthy &= CheckConsole(console, stdout, stderr);
        }

        return healthy ? 0 : 1;
    }

    private static bool CheckSmtp(IConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        // A list may also be given as one comma-separated value (MAILGUARD_Relay__Listen=...).
        var listen = configuration.GetSection("Relay:Listen");
        string first = (listen.Value ?? listen.GetChildren().Select(c => c.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? "127.0.0.1:2525")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "127.0.0.1:2525";
        int colon = first.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(first.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port))
        {
            stderr.WriteLine($"unhealthy: Relay:Listen '{first}' is not host:port");
            return false;
        }

        string host = Loopback(first[..colon].Trim('[', ']'));
        try
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(s_timeout);
            client.ConnectAsync(host, port, cts.Token).AsTask().GetAwaiter().GetResult();
            var stream = client.GetStream();
            var buffer = new byte[512];
            int n = stream.ReadAsync(buffer, cts.Token).AsTask().GetAwaiter().GetResult();
            string greeting = Encoding.ASCII.GetString(buffer, 0, n);
            stream.Write("QUIT\r\n"u8);
            if (greeting.StartsWith("220", StringComparison.Ordinal))
            {
                stdout.WriteLine($"healthy: {host}:{port} greets with 220");
                return true;
            }

            stderr.WriteLine($"unhealthy: {host}:{port} answered '{greeting.Trim()}'");
            return false;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            stderr.WriteLine($"unhealthy: {host}:{port}: {ex.Message}");
            return false;
        }
    }

    /// <summary>GET /healthz on the console's listener (the first URL when several are given).</summary>
    private static bool CheckConsole(string listen, TextWriter stdout, TextWriter stderr)
    {
        string first = listen.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? listen;
        // ASP.NET Core listens on "http://*:8025" or "http://+:8025"; those are not addresses to connect to.
        string normalized = System.Text.RegularExpressions.Regex.Replace(first, @"^(https?://)(\*|\+)(?=[:/]|$)", "${1}127.0.0.1");
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            stderr.WriteLine($"unhealthy: Console:Listen '{first}' is not an http or https URL");
            return false;
        }

        var builder = new UriBuilder(baseUri) { Host = Loopback(baseUri.Host.Trim('[', ']')) };
        builder.Path = builder.Path.TrimEnd('/') + "/healthz";
        var url = builder.Uri;
        using var handler = new HttpClientHandler
        {
            // The check asks whether this node's own listener answers, not who it is: a
            // self-signed or internally issued console certificate must not fail it.
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        };
        using var http = new HttpClient(handler) { Timeout = s_timeout };
        try
        {
            using var response = http.GetAsync(url).GetAwaiter().GetResult();
            int status = (int)response.StatusCode;
            if (status == 200)
            {
                stdout.WriteLine($"healthy: {url} answered 200");
                return true;
            }

            stderr.WriteLine($"unhealthy: {url} answered {status}");
            return false;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            stderr.WriteLine($"unhealthy: {url}: {ex.Message}");
            return false;
        }
    }

    /// <summary>A wildcard listen address is checked on loopback.</summary>
    private static string Loopback(string host) => host switch
    {
        "0.0.0.0" or "*" or "+" or "" => "127.0.0.1",
        "::" => "::1",
        _ => host,
    };
}

using System.Net;
using MailGuard.Smtp;
using MailGuard.Smtp.Client;

namespace MailGuard.Host.Configuration;

/// <summary>
/// Cross-checks the bound options at start-up; every problem is reported, not just the first. The
/// host runs it once at start (ValidateOnStart); the verbs call <see cref="Validate(MailGuardOptions)"/>
/// before they touch anything.
/// </summary>
internal sealed partial class MailGuardOptionsValidator(MailGuard.Core.Policy.PolicyOptions? policy = null) : Microsoft.Extensions.Options.IValidateOptions<MailGuardOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, MailGuardOptions options)
    {
        var errors = Validate(options);
        if (policy is not null)
        {
            errors.AddRange(Validate(options, policy));
        }

        return errors.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Validate(MailGuardOptions options)
    {
        var errors = new List<string>();
        ValidateInspection(options.Inspection, errors);
        ValidateAbuseLimits(options, errors);

        var relay = options.Relay;
        if (relay.Listen.Count == 0 && relay.ImplicitTlsListen.Count == 0)
        {
            errors.Add("Relay:Listen: at least one listener is needed");
        }

        foreach (var (key, list) in new[] { ("Relay:Listen", relay.Listen), ("Relay:ImplicitTlsListen", relay.ImplicitTlsListen) })
        {
            for (int i = 0; i < list.Count; i++)
            {
                if (!TryParseEndPoint(list[i], out _))
                {
                    errors.Add($"{key}:{i}: '{list[i]}' is not host:port (an IP address and a port 0..65535)");
                }
            }
        }

        for (int i = 0; i < relay.AllowedNetworks.Count; i++)
        {
            if (!Cidr.TryParse(relay.AllowedNetworks[i], out _))
            {
                errors.Add($"Relay:AllowedNetworks:{i}: '{relay.AllowedNetworks[i]}' is not an address/prefix (CIDR)");
            }
        }

        Positive(errors, "Relay:MaxMessageBytes", relay.MaxMessageBytes);
        Positive(errors, "Relay:MaxRecipients", relay.MaxRecipients);
        Positive(errors, "Relay:MaxSessions", relay.MaxSessions);
        if (relay.MaxErrors < 0)
        {
            errors.Add("Relay:MaxErrors: must not be negative");
        }

        PositiveTime(errors, "Relay:CommandTimeout", relay.CommandTimeout);
        PositiveTime(errors, "Relay:DataTimeout", relay.DataTimeout);
        if (relay.ShutdownGracePeriod < TimeSpan.Zero)
        {
            errors.Add("Relay:ShutdownGracePeriod: must not be negative");
        }

        if (string.IsNullOrWhiteSpace(relay.ServerName) || relay.ServerName.AsSpan().IndexOfAny(" \t\r\n") >= 0)
        {
            errors.Add("Relay:ServerName: must be one domain name");
        }

        var tls = relay.Tls;
        bool hasCertificate = !string.IsNullOrWhiteSpace(tls.CertificatePath);
        if (hasCertificate && !File.Exists(tls.CertificatePath))
        {
            errors.Add($"Relay:Tls:CertificatePath: '{tls.CertificatePath}' does not exist");
        }

        if (!string.IsNullOrWhiteSpace(tls.KeyPath) && !hasCertificate)
        {
            errors.Add("Relay:Tls:KeyPath: set without Relay:Tls:CertificatePath");
        }

        if (!string.IsNullOrWhiteSpace(tls.KeyPath) && !File.Exists(tls.KeyPath))
        {
            errors.Add($"Relay:Tls:KeyPath: '{tls.KeyPath}' does not exist");
        }

        PositiveTime(errors, "Relay:Tls:ReloadCheckInterval", tls.ReloadCheckInterval);
        if (relay.ImplicitTlsListen.Count > 0 && !hasCertificate)
        {
            errors.Add("Relay:ImplicitTlsListen: needs Relay:Tls:CertificatePath");
        }

        for (int i = 0; i < relay.Users.Count; i++)
        {
            string entry = relay.Users[i];
            int colon = entry.IndexOf(':');
            // The entry itself is never echoed: it holds a password hash.
            if (colon <= 0 || !Security.Passwords.IsHash(entry[(colon + 1)..]))
            {
                errors.Add($"Relay:Users:{i}: not \"name:pbkdf2-sha256$iterations$salt$hash\" (make one with `mailguard hash-password`)");
            }
        }

        if (relay.Users.Count > 0 && !hasCertificate)
        {
            errors.Add("Relay:Users: AUTH is offered only over TLS (RFC 4954 §4), so users need Relay:Tls:CertificatePath");
        }

        if (relay.RequireAuth && relay.Users.Count == 0)
        {
            errors.Add("Relay:RequireAuth: no Relay:Users to authenticate");
        }

        if (relay.RequireAuth && !hasCertificate)
        {
            errors.Add("Relay:RequireAuth: AUTH is offered only over TLS (RFC 4954 §4), so it needs Relay:Tls:CertificatePath");
        }

        var delivery = options.Delivery;
        if (delivery.Mode == DeliveryMode.Smtp)
        {
            var smtp = delivery.Smtp;
            if (string.IsNullOrWhiteSpace(smtp.Host))
            {
                errors.Add("Delivery:Smtp:Host: required when Delivery:Mode is Smtp");
            }

            if (smtp.Port is < 1 or > 65535)
            {
                errors.Add($"Delivery:Smtp:Port: {smtp.Port} is not a port (1..65535)");
            }

            if (!Enum.TryParse<StartTlsMode>(smtp.StartTls, ignoreCase: true, out _))
            {
                errors.Add($"Delivery:Smtp:StartTls: '{smtp.StartTls}' is not one of {string.Join(", ", Enum.GetNames<StartTlsMode>())}");
            }

            if (string.IsNullOrEmpty(smtp.Username) != string.IsNullOrEmpty(smtp.Password))
            {
                errors.Add("Delivery:Smtp:Username/Password: give both or neither");
            }
        }

        if (!(delivery.MaxAgeHours > 0))
        {
            errors.Add("Delivery:MaxAgeHours: must be positive");
        }

        Positive(errors, "Delivery:Concurrency", delivery.Concurrency);
        PositiveTime(errors, "Delivery:MinBackoff", delivery.MinBackoff);
        PositiveTime(errors, "Delivery:LeaseTime", delivery.LeaseTime);
        PositiveTime(errors, "Delivery:PollInterval", delivery.PollInterval);
        if (delivery.MaxBackoff < delivery.MinBackoff)
        {
            errors.Add("Delivery:MaxBackoff: must not be less than Delivery:MinBackoff");
        }

        if (string.IsNullOrWhiteSpace(delivery.NodeName))
        {
            errors.Add("Delivery:NodeName: must not be empty");
        }

        var breaker = delivery.CircuitBreaker;
        if (breaker.FailureRatio is <= 0 or > 1)
        {
            errors.Add("Delivery:CircuitBreaker:FailureRatio: must be in (0, 1]");
        }

        if (breaker.MinimumThroughput < 2)
        {
            errors.Add("Delivery:CircuitBreaker:MinimumThroughput: must be at least 2 (Polly's minimum)");
        }

        if (breaker.SamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add("Delivery:CircuitBreaker:SamplingDuration: must be at least 0.5 s (Polly's minimum)");
        }

        if (breaker.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add("Delivery:CircuitBreaker:BreakDuration: must be at least 0.5 s (Polly's minimum)");
        }

        if (!Enum.IsDefined(options.Storage.Provider))
        {
            errors.Add("Storage:Provider: must be Sqlite or Postgres");
        }

        if (options.Storage.Provider == StorageProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.Storage.ConnectionString))
            {
                errors.Add("Storage:ConnectionString: required when Storage:Provider is Postgres");
            }
            else
            {
                try
                {
                    _ = new Npgsql.NpgsqlConnectionStringBuilder(options.Storage.ConnectionString);
                }
                catch (ArgumentException ex)
                {
                    // The message names the offending keyword, never the password.
                    errors.Add("Storage:ConnectionString: " + ex.Message);
                }
            }
        }

        if (options.Storage.InlineContentBytes is < 0 or > 64 * 1024 * 1024)
        {
            errors.Add("Storage:InlineContentBytes: must be between 0 and 67108864");
        }

        if (!(options.Storage.RetainFinishedHours >= 0))
        {
            errors.Add("Storage:RetainFinishedHours: must not be negative");
        }

        if (!(options.Quarantine.RetentionDays >= 1))
        {
            errors.Add("Quarantine:RetentionDays: must be at least 1");
        }

        if (options.Quarantine.ExpiryCheckInterval <= TimeSpan.Zero)
        {
            errors.Add("Quarantine:ExpiryCheckInterval: must be positive");
        }

        if (options.Quarantine.EncryptionKey is { Length: > 0 } encryptionKey && MailGuard.Core.Store.ContentProtector.FromBase64(encryptionKey, out string? keyProblem) is null)
        {
            errors.Add("Quarantine:EncryptionKey: " + keyProblem);
        }

        if (string.IsNullOrWhiteSpace(options.Storage.Directory))
        {
            errors.Add("Storage:Directory: must not be empty");
        }

        ValidateConsole(options.Console, errors);
        AddinOptions.Validate(options.Check, options.Addin, errors);
        if (options.Console.LinkKey is { Length: > 0 } linkKey && MailGuard.Core.Notices.ReleaseRequestLinks.FromBase64(linkKey, out string? linkKeyProblem) is null)
        {
            errors.Add("Console:LinkKey: " + linkKeyProblem);
        }

        return errors;
    }

    /// <summary>Checks across the relay's options and the policy's (bound separately).</summary>
    public static List<string> Validate(MailGuardOptions options, MailGuard.Core.Policy.PolicyOptions policy)
    {
        var errors = new List<string>();
        if (options.Storage.Provider == StorageProvider.Postgres && policy.Notifications.ReleaseRequestUrl is { Length: > 0 } && string.IsNullOrWhiteSpace(options.Console.LinkKey))
        {
            // A key generated into each node's own Storage:Directory would make links that only the node
            // that sent the notice accepts.
            errors.Add("Console:LinkKey: required when Storage:Provider is Postgres and Policy:Notifications:ReleaseRequestUrl is set (every node must sign release-request links with the same key)");
        }

        return errors;
    }

    public static bool TryParseEndPoint(string text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (IPEndPoint.TryParse(text, out var parsed) && text.Contains(':', StringComparison.Ordinal) && parsed.Port is >= 0 and <= 65535)
        {
            // IPEndPoint.TryParse accepts a bare address with port 0; a listener needs the port spelt out.
            int colon = text.LastIndexOf(':');
            if (colon > 0 && text[(colon + 1)..].All(char.IsAsciiDigit) && !text.EndsWith(']'))
            {
                endPoint = parsed;
                return true;
            }
        }

        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) && int.TryParse(text.AsSpan(10), out int port) && port is >= 0 and <= 65535)
        {
            endPoint = new IPEndPoint(IPAddress.Loopback, port);
            return true;
        }

        return false;
    }

    private static void ValidateConsole(ConsoleOptions console, List<string> errors)
    {
        if (console.Listen is { Length: > 0 } listen)
        {
            if (!Uri.TryCreate(listen, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
            {
                errors.Add($"Console:Listen: '{listen}' is not an http:// or https:// URL without a path");
            }
            else if (uri.Scheme == "https" && string.IsNullOrEmpty(console.Tls.CertificatePath))
            {
                errors.Add("Console:Listen: https needs Console:Tls:CertificatePath");
            }
        }

        if (console.PublicUrl is { Length: > 0 } publicUrl && !MailGuard.Core.Policy.NotificationOptions.IsHttpUrl(publicUrl))
        {
            errors.Add($"Console:PublicUrl: '{publicUrl}' is not an absolute http(s) URL without query or fragment");
        }

        if (Review.ConsoleClock.FindZone(console.TimeZone) is null)
        {
            errors.Add($"Console:TimeZone: '{console.TimeZone}' is not a known time zone (an IANA id such as Europe/London, or UTC)");
        }

        if (console.Tls.CertificatePath is { Length: > 0 } cert && !File.Exists(cert))
        {
            errors.Add($"Console:Tls:CertificatePath: '{cert}' does not exist");
        }

        PositiveTime(errors, "Console:SessionIdleTimeout", console.SessionIdleTimeout);
        PositiveTime(errors, "Console:LoginLockout", console.LoginLockout);
        Positive(errors, "Console:MaxLoginFailures", console.MaxLoginFailures);
        foreach (string network in console.MetricsAllowedNetworks)
        {
            if (!MailGuard.Smtp.Cidr.TryParse(network, out _))
            {
                errors.Add($"Console:MetricsAllowedNetworks: '{network}' is not a CIDR network");
            }
        }

        if (string.IsNullOrWhiteSpace(console.InitialAdmin) || !Review.ConsoleAccounts.IsValidName(console.InitialAdmin))
        {
            errors.Add("Console:InitialAdmin: must be a valid account name (letters, digits, '.', '-', '_', '@'; 1-64 characters)");
        }
    }

    private static void Positive(List<string> errors, string key, long value)
    {
        if (value <= 0)
        {
            errors.Add($"{key}: must be positive");
        }
    }

    private static void PositiveTime(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{key}: must be positive");
        }
    }
}

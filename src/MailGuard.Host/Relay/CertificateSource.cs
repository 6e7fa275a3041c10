using System.Security.Cryptography.X509Certificates;
using MailGuard.Host.Configuration;

namespace MailGuard.Host.Relay;

/// <summary>
/// Loads Relay:Tls (PFX, or PEM certificate with a PEM key) and reloads it when the files change,
/// without a restart: a file watcher reacts within a second, and a periodic check of the files'
/// times catches replacements the watcher misses (symlink swaps as done by Kubernetes secrets).
/// A file that fails to load (half-written during renewal) leaves the previous certificate in use.
/// </summary>
internal sealed partial class CertificateSource : IDisposable
{
    private readonly TlsOptions _options;
    private readonly Action<X509Certificate2, X509Certificate2Collection> _apply;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer? _timer;
    private readonly Lock _lock = new();
    private DateTime _certificateTime;
    private DateTime _keyTime;

    public CertificateSource(TlsOptions options, Action<X509Certificate2, X509Certificate2Collection> apply, TimeProvider time, ILogger logger)
    {
        _options = options;
        _apply = apply;
        _logger = logger;
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            return;
        }

        Reload(force: true);
        string directory = Path.GetDirectoryName(Path.GetFullPath(options.CertificatePath))!;
        _watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.CreationTime };
        _watcher.Changed += (_, _) => Reload(force: false);
        _watcher.Created += (_, _) => Reload(force: false);
        _watcher.Renamed += (_, _) => Reload(force: false);
        _watcher.EnableRaisingEvents = true;
        _timer = time.CreateTimer(_ => Reload(force: false), null, options.ReloadCheckInterval, options.ReloadCheckInterval);
    }

    public X509Certificate2? Current { get; private set; }

    /// <summary>Loads the configured files now (also used by tests).</summary>
    public void Reload(bool force)
    {
        lock (_lock)
        {
            try
            {
                var certificateTime = File.GetLastWriteTimeUtc(_options.CertificatePath!);
                var keyTime = string.IsNullOrWhiteSpace(_options.KeyPath) ? default : File.GetLastWriteTimeUtc(_options.KeyPath);
                if (!force && certificateTime == _certificateTime && keyTime == _keyTime)
                {
                    return;
                }

                var (certificate, intermediates) = Load(_options);
                _certificateTime = certificateTime;
                _keyTime = keyTime;
                Current = certificate;
                _apply(certificate, intermediates);
                LogLoaded(_logger, certificate.Subject, certificate.Thumbprint, certificate.NotAfter);
            }
            catch (Exception ex) when (ex is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException or ArgumentException)
            {
                LogLoadFailed(_logger, ex, _options.CertificatePath!);
                if (force)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>
    /// The certificate with its private key, and the other certificates in the same file: the
    /// intermediates of a PEM full chain (Let's Encrypt's fullchain.pem) or of a PFX, which the
    /// handshake sends along (a self-signed root among them is left out by the TLS layer).
    /// </summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Intermediates) Load(TlsOptions options)
    {
        string path = options.CertificatePath!;
        string text = File.ReadAllText(path);
        X509Certificate2 certificate;
        var others = new X509Certificate2Collection();
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            string keyPath = string.IsNullOrWhiteSpace(options.KeyPath) ? path : options.KeyPath;
            using var pem = string.IsNullOrEmpty(options.Password)
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, options.Password, keyPath);
            // A PEM-loaded key is ephemeral; re-importing through PKCS#12 gives SslStream a key it can use everywhere.
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            others.ImportFromPem(text);
        }
        else
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, options.Password);
            others = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, options.Password);
        }

        var intermediates = new X509Certificate2Collection();
        foreach (var other in others)
        {
            if (other.Thumbprint != certificate.Thumbprint)
            {
                intermediates.Add(other);
            }
            else
            {
                other.Dispose();
            }
        }

        return (certificate, intermediates);
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _timer?.Dispose();
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.CertificateLoaded, Level = LogLevel.Information, Message = "TLS certificate loaded: {Subject} ({Thumbprint}), valid until {NotAfter:u}")]
    private static partial void LogLoaded(ILogger logger, string subject, string thumbprint, DateTime notAfter);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.CertificateLoadFailed, Level = LogLevel.Error, Message = "TLS certificate {Path} could not be loaded; the previous one stays in use")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string path);
}

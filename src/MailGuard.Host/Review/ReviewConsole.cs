using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Relay;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailGuard.Host.Review;

/// <summary>
/// The review console, API, /healthz and /metrics: an ASP.NET Core application of its own, on
/// <c>Console:Listen</c>, started and stopped with `mailguard run`. It shares the relay's store,
/// options, clock and logging (registered into its container from the host's), so both sides see
/// one quarantine and one audit log; everything else (routing, authentication, Razor Pages) stays
/// inside it. Pages use cookie sessions with antiforgery on every form; the API takes only bearer
/// tokens; neither accepts the other's credentials.
/// </summary>
public sealed partial class ReviewConsole
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string BearerScheme = "Bearer";
    public const string ReviewerPolicy = "reviewer";
    public const string AdminPolicy = "admin";
    public const string ApiPolicy = "api";
    public const string CheckPolicy = "check";
    public const string ScopeClaim = "mailguard:scope";
    public const string TokenIdClaim = "mailguard:token";
    public const string StampClaim = "mailguard:stamp";
    public const string IssuedClaim = "mailguard:issued";

    private readonly IServiceProvider _services;

    public ReviewConsole(IServiceProvider services) => _services = services;

    /// <summary>The bound addresses (with the real port when Console:Listen asked for port 0); empty before the host has started.</summary>
    public IReadOnlyList<Uri> Addresses =>
        _services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a)).ToList() ?? [];

    /// <summary>The host's services, which the console's pages and endpoints share with the relay.</summary>
    public IServiceProvider Services => _services;

    /// <summary>A short fingerprint of the password hash: a password change or reset ends the account's other sessions.</summary>
    public static string Stamp(ConsoleUser user) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(user.PasswordHash)))[..16];

    /// <summary>
    /// The console's part of the one host: Kestrel on Console:Listen (TLS reloaded like the relay's),
    /// data protection, cookie sessions and bearer tokens, Razor Pages and the API.
    /// </summary>
    internal static void AddTo(WebApplicationBuilder builder, ConsoleOptions console, StorageOptions storage, QuarantineOptions quarantine)
    {
        builder.Services.TryAddSingleton<ReviewConsole>();
        // Pages read the policy's internal domains and four-eyes rules; without a policy, an empty one.
        builder.Services.TryAddSingleton(new PolicyOptions());
        builder.Services.TryAddSingleton<Security.AuthThrottle>();
        builder.Services.TryAddSingleton(sp => new LoginThrottle(sp.GetRequiredService<Security.AuthThrottle>(), console.MaxLoginFailures, console.LoginLockout));
        builder.Services.AddHostedService<ConsoleStartup>();
        var uri = new Uri(console.Listen!);
        if (uri.Scheme == "https")
        {
            // Like the relay's: the certificate (with its chain) is reloaded when its files change,
            // and each new connection gets the current one, without a restart.
            builder.Services.TryAddSingleton(sp => new ConsoleCertificate(console.Tls, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ReviewConsole>>()));
        }

        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration().ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 500;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            void Configure(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen)
            {
                if (uri.Scheme == "https")
                {
                    listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.TlsHandshakeCallbackOptions
                    {
                        OnConnection = connection => ValueTask.FromResult(new System.Net.Security.SslServerAuthenticationOptions { ServerCertificateContext = kestrel.ApplicationServices.GetRequiredService<ConsoleCertificate>().Current }),
                    });
                }
            }

            if (uri.Host is "localhost")
            {
                kestrel.ListenLocalhost(uri.Port, Configure);
            }
            else if (uri.Host is "0.0.0.0" or "*" or "+" or "[::]")
            {
                kestrel.ListenAnyIP(uri.Port, Configure);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port, Configure);
            }
        });

        builder.Services.AddRoutingCore();
        builder.Services.AddProblemDetails();
        // Whoever reads these keys can forge a session: the directory is the service user's alone.
        string keys = Path.Combine(Path.GetFullPath(storage.Directory), "console-keys");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(keys);
        }
        else
        {
            Directory.CreateDirectory(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        builder.Services.AddDataProtection()
            .SetApplicationName("MailGuard")
            .PersistKeysToFileSystem(new DirectoryInfo(keys));
        if (ContentProtector.FromBase64(quarantine.EncryptionKey, out _) is { } sealKeys)
        {
            builder.Services.AddSingleton(new ConsoleKeyProtector(sealKeys));
            builder.Services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o => o.XmlEncryptor = new ConsoleKeyEncryptor(sealKeys));
        }
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "mailguard.af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__af";
        });
        builder.Services.AddAuthentication(CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "mailguard.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = console.SessionIdleTimeout;
                o.SlidingExpiration = true;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.AccessDeniedPath = "/denied";
                o.ReturnUrlParameter = "returnUrl";
                o.Events.OnValidatePrincipal = ValidateSessionAsync;
            })
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerScheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ReviewerPolicy, p => p.AddAuthenticationSchemes(CookieScheme).RequireRole("reviewer", "admin"))
            .AddPolicy(AdminPolicy, p => p.AddAuthenticationSchemes(CookieScheme).RequireRole("admin"))
            .AddPolicy(ApiPolicy, p => p.AddAuthenticationSchemes(BearerScheme).RequireRole("reviewer", "admin"))
            .AddPolicy(CheckPolicy, p => p.AddAuthenticationSchemes(BearerScheme).RequireClaim(ScopeClaim, "check"));
        builder.Services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Review/Pages";
            o.Conventions.AuthorizeFolder("/", ReviewerPolicy);
            o.Conventions.AuthorizeFolder("/Admin", AdminPolicy);
            o.Conventions.AuthorizePage("/Messages/Original", AdminPolicy);
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AllowAnonymousToPage("/Error");
            o.Conventions.AllowAnonymousToPage("/Request");
            o.Conventions.AllowAnonymousToPage("/Withdraw");
        });
        CheckEndpoint.AddTo(builder.Services);

    }

    /// <summary>The console's request pipeline and endpoints, on the one host's application.</summary>
    internal static void MapOn(WebApplication app)
    {
        // Pages are English: numbers and times read the same whatever the server's LANG (flows to the whole request).
        app.Use((context, next) =>
        {
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
            return next(context);
        });
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = ConsoleErrors.HandleExceptionAsync });
        app.Use(SecurityHeaders);
        app.UseStatusCodePages(ConsoleErrors.HandleStatusCodeAsync);
        app.UseRouting();
        // CORS before authentication, so a browser's preflight for the check API is answered without a token.
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapGet("/assets/site.css", () => Results.Text(ConsoleAssets.Css, "text/css; charset=utf-8")).AllowAnonymous();
        app.MapGet("/healthz", (Func<HttpContext, Task<IResult>>)HealthAsync).AllowAnonymous();
        app.MapGet("/metrics", MetricsAsync).AllowAnonymous();
        ApiEndpoints.Map(app);
        CheckEndpoint.Map(app);
        AddinEndpoints.Map(app);
        app.MapRazorPages();
    }

    // Every response: no framing, no sniffing, no referrer, and a policy that loads nothing from
    // anywhere but this server (no scripts at all). Pages show held mail, so nothing is cached.
    // Set as the response starts: the exception handler clears headers set before the failure.
    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        context.Response.OnStarting(static state => SetSecurityHeaders((HttpContext)state), context);
        return next();
    }

    private static Task SetSecurityHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (context.Items.ContainsKey(AddinEndpoints.ServedItem))
        {
            // One of the Outlook add-in's files: Outlook loads it in its own frame and it runs
            // Microsoft's Office.js, so it may be framed and load that one script; it talks to this
            // server only. Everything else, a 404 under /addin/ included, keeps the console's policy.
            headers.ContentSecurityPolicy = AddinEndpoints.ContentSecurityPolicy;
        }
        else
        {
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            headers.XFrameOptions = "DENY";
        }

        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }

    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<ConsoleAccounts>();
        string? name = context.Principal?.Identity?.Name;
        var user = name is null ? null : await accounts.Store.GetUserAsync(name, context.HttpContext.RequestAborted);
        string? role = context.Principal?.FindFirstValue(ClaimTypes.Role);
        bool loggedOutSince = user?.SessionsFrom is { } from
            && (!long.TryParse(context.Principal?.FindFirstValue(IssuedClaim), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long issued) || issued < from.ToUnixTimeMilliseconds());
        if (user is null || user.Disabled || loggedOutSince || role != ConsoleAccounts.RoleName(user.Role) || context.Principal!.FindFirstValue(StampClaim) != Stamp(user))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
        }
    }

    private static async Task<IResult> HealthAsync(HttpContext context)
    {
        try
        {
            var accounts = context.RequestServices.GetRequiredService<IAccountStore>();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await accounts.CountUsersAsync(timeout.Token);
            return Results.Text("healthy\n", "text/plain");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            ConsoleErrors.LogStoreUnavailable(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<ReviewConsole>(), ex, "/healthz");
            context.RequestServices.GetService<Metrics.MailGuardMetrics>()?.StoreFaulted(Core.Store.StoreOperation.Console);
            return Results.Text("unhealthy: store unreachable\n", "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    // Prometheus scrapers on Console:MetricsAllowedNetworks read without credentials; anyone else
    // needs a bearer token (any role). Counts only: no addresses, subjects or content.
    private static async Task MetricsAsync(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        var console = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ConsoleOptions>>().Value;
        bool allowed = remote is not null && MailGuard.Smtp.Cidr.ContainsAny(console.MetricsAllowedNetworks.Select(MailGuard.Smtp.Cidr.Parse), remote);
        if (!allowed)
        {
            // A check token (the Outlook add-in's, in every mailbox) has no role and reads nothing here.
            var auth = await context.AuthenticateAsync(BearerScheme);
            allowed = auth.Succeeded && (auth.Principal.IsInRole("reviewer") || auth.Principal.IsInRole("admin"));
        }

        if (!allowed)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"mailguard\"";
            await ConsoleErrors.WriteAsync(context, 401, "Authentication required", "/metrics needs a bearer token from outside Console:MetricsAllowedNetworks");
            return;
        }

        context.Response.ContentType = Metrics.MailGuardMetrics.ContentType;
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), leaveOpen: true);
        await context.RequestServices.GetRequiredService<Metrics.MailGuardMetrics>().WriteAsync(writer, context.RequestAborted);
    }

    /// <summary>The principal of a check token: a name for the logs and its id (the rate limiter's partition), no role.</summary>
    public static ClaimsPrincipal CheckPrincipal(string name, string tokenId, string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ScopeClaim, "check"), new Claim(TokenIdClaim, tokenId)], scheme));

    /// <summary>Builds the principal a console session or token carries.</summary>
    /// <param name="issuedAt">For sessions: when it started (a later logout of the account ends it).</param>
    public static ClaimsPrincipal Principal(string name, ConsoleRole role, string scheme, string? stamp = null, DateTimeOffset? issuedAt = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.Role, ConsoleAccounts.RoleName(role)) };
        if (stamp is not null)
        {
            claims.Add(new Claim(StampClaim, stamp));
        }

        if (issuedAt is { } issued)
        {
            claims.Add(new Claim(IssuedClaim, issued.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

}

/// <summary>The console's certificate for an https Console:Listen, reloaded when its files change.</summary>
internal sealed class ConsoleCertificate : IDisposable
{
    private readonly CertificateSource _source;
    private System.Net.Security.SslStreamCertificateContext? _current;

    public ConsoleCertificate(TlsOptions tls, TimeProvider time, ILogger logger) =>
        _source = new CertificateSource(tls, (certificate, intermediates) => Volatile.Write(ref _current, System.Net.Security.SslStreamCertificateContext.Create(certificate, intermediates, offline: true)), time, logger);

    public System.Net.Security.SslStreamCertificateContext? Current => Volatile.Read(ref _current);

    public void Dispose() => _source.Dispose();
}

/// <summary>
/// Before the console serves anything: the initial admin on a store without accounts; once it
/// listens, where (the real port when 0 was asked for).
/// </summary>
internal sealed partial class ConsoleStartup(ConsoleAccounts accounts, Microsoft.Extensions.Options.IOptions<ConsoleOptions> console, ReviewConsole review, IHostApplicationLifetime lifetime, ILogger<ReviewConsole> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await accounts.EnsureInitialAdminAsync(console.Value.InitialAdmin, cancellationToken);
        lifetime.ApplicationStarted.Register(() => LogListening(logger, string.Join(", ", review.Addresses)));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ConsoleListening, Level = LogLevel.Information, Message = "Review console listening on {Addresses}")]
    private static partial void LogListening(ILogger logger, string addresses);
}

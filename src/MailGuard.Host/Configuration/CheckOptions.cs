namespace MailGuard.Host.Configuration;

/// <summary>
/// Check:*: `POST /api/v1/check`, which judges a draft with the relay's policy before it is sent
/// (the Outlook add-in's question). Bounded like the relay: size, time, concurrency, and a rate per
/// caller, each with a finite default.
/// </summary>
public sealed class CheckOptions
{
    /// <summary>
    /// Largest request accepted (413 beyond). Default 14,000,000: a message at Relay:MaxMessageBytes'
    /// 10,240,000 sent as JSON with base64 attachments (4/3 the size) plus room for the rest.
    /// </summary>
    public long MaxRequestBytes { get; set; } = 14_000_000;

    /// <summary>
    /// A check that has not answered by then is abandoned (503). Default 10 s: the add-in gives up
    /// after Addin:ClientTimeout (3 s) and lets the relay decide, so work past this helps nobody.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Checks inspected at once; more get 503 at once rather than a place in a queue, so a Send never
    /// waits behind others and the relay keeps its cores. Default 4.
    /// </summary>
    public int MaxConcurrent { get; set; } = 4;

    /// <summary>
    /// Checks one caller (a token from one client address) may ask for a minute; 429 beyond. Default
    /// 60: one Send is one check, and a person does not send a message a second.
    /// </summary>
    public int PermitsPerMinute { get; set; } = 60;

    /// <summary>
    /// Web origins (https://host[:port]) that may call the check API from a browser besides the
    /// console's own (CORS): where the add-in's files are served from elsewhere. None by default;
    /// the add-in the console serves needs none.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];
}

/// <summary>Addin:*: the Outlook add-in the console serves under /addin/ (docs/addin.md).</summary>
public sealed class AddinOptions
{
    /// <summary>
    /// The check-scoped token (`mailguard token create --scope check`) the add-in presents; it is
    /// written into the add-in's script, which every mailbox loads, so it is readable by anyone who
    /// can reach /addin/ and can only ask for checks. None by default: the console serves no add-in
    /// (404 under /addin/). Give it in the environment (MAILGUARD_Addin__CheckToken).
    /// </summary>
    public string? CheckToken { get; set; }

    /// <summary>
    /// How long the add-in waits for an answer before it lets the message go and the relay decide.
    /// Default 3 s: Outlook shows its "taking longer than expected" dialog after 5 s.
    /// </summary>
    public TimeSpan ClientTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Every problem with the check API's and the add-in's settings.</summary>
    internal static void Validate(CheckOptions check, AddinOptions addin, List<string> errors)
    {
        if (check.MaxRequestBytes <= 0)
        {
            errors.Add("Check:MaxRequestBytes: must be positive");
        }

        if (check.Timeout <= TimeSpan.Zero)
        {
            errors.Add("Check:Timeout: must be positive");
        }

        if (check.MaxConcurrent is < 1 or > 1024)
        {
            errors.Add($"Check:MaxConcurrent: {check.MaxConcurrent} must be 1 to 1024");
        }

        if (check.PermitsPerMinute < 1)
        {
            errors.Add("Check:PermitsPerMinute: must be positive");
        }

        foreach (string origin in check.AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.PathAndQuery != "/" || origin.EndsWith('/'))
            {
                errors.Add($"Check:AllowedOrigins: '{origin}' is not an origin (scheme://host[:port], no path or trailing slash)");
            }
        }

        if (addin.CheckToken is { Length: > 0 } token && !Review.ConsoleAccounts.LooksLikeToken(token))
        {
            errors.Add("Addin:CheckToken: not a MailGuard token (mgt_...; make one with `mailguard token create --scope check`)");
        }

        if (addin.ClientTimeout <= TimeSpan.Zero || addin.ClientTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add("Addin:ClientTimeout: must be positive and at most 00:01:00");
        }
    }
}

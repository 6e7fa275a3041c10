using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using MailGuard.Core.Store;
using MailGuard.Host.Relay;
using MailGuard.Host.Review;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

// The folder is Console/ but the namespace mirrors the source's (MailGuard.Host.Review): a
// MailGuard.Host.Tests.Console namespace would hide System.Console from every test namespace.
namespace MailGuard.Testing;

/// <summary>
/// `mailguard run` with the review console on http://127.0.0.1:0 and the shipped policy
/// (held notices to senders off, so the pickup directory holds only what reviewers release or return).
/// Every request goes over loopback to the real Kestrel listener.
/// </summary>
internal sealed class ConsoleHarness : IAsyncDisposable
{
    public const string HeldPrefix = "Ok: held for review as ";

    private readonly List<IDisposable> _clients = [];

    private ConsoleHarness(TestRelay relay, Uri address)
    {
        Relay = relay;
        Address = address;
    }

    public TestRelay Relay { get; }

    public Uri Address { get; }

    public ReviewConsole Console => Relay.Services.GetRequiredService<ReviewConsole>();

    public ConsoleAccounts Accounts => Relay.Services.GetRequiredService<ConsoleAccounts>();

    public IQuarantineStore Quarantine => (IQuarantineStore)Relay.Store;

    public static async Task<ConsoleHarness> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var all = new Dictionary<string, string?> { ["Console:Listen"] = "http://127.0.0.1:0" };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k] = v;
        }

        var relay = await TestRelay.StartAsync(all, services =>
        {
            services.AddSingleton(TestPolicies.ShippedForCorp(
                ("Policy:Rules:0:NotifySender", "false"), ("Policy:Rules:1:NotifySender", "false"), ("Policy:Rules:2:NotifySender", "false")));
            services.AddSingleton<IMessageDisposition, InspectingDisposition>();
            configure?.Invoke(services);
        });
        var address = relay.Services.GetRequiredService<ReviewConsole>().Addresses.Single();
        Assert.Equal("127.0.0.1", address.Host);
        return new ConsoleHarness(relay, address);
    }

    /// <summary>A browser-like client: its own cookie jar, redirects not followed.</summary>
    public ConsoleSession NewSession()
    {
        var session = new ConsoleSession(Address);
        _clients.Add(session);
        return session;
    }

    public async Task<(string Name, string Password)> CreateUserAsync(ConsoleRole role, string? name = null)
    {
        name ??= (role == ConsoleRole.Admin ? "admin-" : "reviewer-") + Guid.NewGuid().ToString("N")[..8];
        string? password = await Accounts.CreateUserAsync(name, role, "test");
        Assert.NotNull(password);
        return (name, password);
    }

    /// <summary>A new account of <paramref name="role"/>, logged in through the login form.</summary>
    public async Task<ConsoleSession> LoginAsync(ConsoleRole role, string? name = null)
    {
        var (user, password) = await CreateUserAsync(role, name);
        var session = NewSession();
        await session.LoginOkAsync(user, password);
        return session;
    }

    /// <summary>An API client with a fresh bearer token of <paramref name="role"/> made by <paramref name="createdBy"/>; the actor it appears as in the audit log is "token:ID (createdBy)".</summary>
    public async Task<(HttpClient Client, string Actor, string Token)> ApiClientAsync(ConsoleRole role, string createdBy = "test")
    {
        var (token, secret) = await Accounts.CreateTokenAsync("tests", role, createdBy);
        return (ApiClient(secret), $"token:{token.Id} ({createdBy})", secret);
    }

    public HttpClient ApiClient(string? bearer)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse("Bearer " + bearer);
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>Sends <paramref name="content"/> through the relay and returns the id it was held under.</summary>
    public async Task<string> HoldAsync(string from, string[] to, byte[] content)
    {
        var result = await TestMessages.SendAsync(Relay.Port, from, to, content);
        string reply = result.Reply?.Text ?? "";
        Assert.True(reply.StartsWith(HeldPrefix, StringComparison.Ordinal), "not held: " + reply);
        return reply[HeldPrefix.Length..];
    }

    /// <summary>The whole audit log, newest first.</summary>
    public Task<IReadOnlyList<AuditEvent>> AuditAsync() => ((IReviewStore)Relay.Store).QueryAuditAsync(new AuditQuery(Limit: 10_000));

    public async Task<QuarantineStatus> StatusAsync(string id) => (await Quarantine.GetQuarantineAsync(id))!.Status;

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Relay.DisposeAsync();
    }
}

/// <summary>One browser: cookie jar (session and antiforgery cookies), no automatic redirects.</summary>
internal sealed partial class ConsoleSession : IDisposable
{
    /// <param name="cookies">A cookie jar to share (the same browser against a restarted node); a new one by default.</param>
    public ConsoleSession(Uri address, CookieContainer? cookies = null)
    {
        Cookies = cookies ?? new CookieContainer();
        Client = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public CookieContainer Cookies { get; }

    public HttpClient Client { get; }

    [GeneratedRegex("<input[^>]*\\bname=\"__af\"[^>]*\\bvalue=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    public Task<HttpResponseMessage> GetAsync(string path) => Client.GetAsync(path);

    /// <summary>GETs a page that must answer 200 and returns its HTML.</summary>
    public async Task<string> PageAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {response.Headers.Location}");
        return body;
    }

    /// <summary>The antiforgery token of the form on <paramref name="path"/> (for this session's cookies).</summary>
    public async Task<string> TokenAsync(string path)
    {
        var match = AntiforgeryField().Match(await PageAsync(path));
        Assert.True(match.Success, $"no __af field on {path}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Posts a form; <paramref name="antiforgery"/> null leaves the __af field out.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<(string Name, string Value)> fields, string? antiforgery)
    {
        var all = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        if (antiforgery is not null)
        {
            all.Add(new("__af", antiforgery));
        }

        return Client.PostAsync(path, new FormUrlEncodedContent(all));
    }

    /// <summary>Loads the form on <paramref name="path"/> and submits it with its antiforgery token, as a browser does.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string path, params (string Name, string Value)[] fields) =>
        await PostFormAsync(path, fields, await TokenAsync(path));

    public async Task<HttpResponseMessage> LoginAsync(string name, string password) =>
        await PostFormAsync("/login", [("Name", name), ("Password", password)], await TokenAsync("/login"));

    public async Task LoginOkAsync(string name, string password)
    {
        using var response = await LoginAsync(name, password);
        ConsoleAssert.RedirectsTo(response, "/messages");
    }

    /// <summary>The message page's form: verb (release, release-bcc-fix, return, delete) and reason.</summary>
    /// <param name="confirmed">The reviewer confirms what a release of personal data sends (the confirmation step's form).</param>
    public async Task<HttpResponseMessage> ActAsync(string id, string verb, string reason, bool confirmed = false) =>
        await PostFormAsync("/messages/" + id, confirmed ? [("verb", verb), ("reason", reason), ("confirmed", "yes")] : [("verb", verb), ("reason", reason)], await TokenAsync("/messages/" + id));

    public void Dispose() => Client.Dispose();
}

internal static class ConsoleAssert
{
    /// <summary>302 (or 303) to <paramref name="path"/> on this server, query ignored.</summary>
    public static void RedirectsTo(HttpResponseMessage response, string path)
    {
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.SeeOther, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode}, expected a redirect to {path}");
        var location = response.Headers.Location!;
        if (!location.IsAbsoluteUri)
        {
            location = new Uri(response.RequestMessage!.RequestUri!, location);
        }

        Assert.Equal(response.RequestMessage!.RequestUri!.Authority, location.Authority);
        Assert.Equal(path, location.AbsolutePath);
    }

    /// <summary>An RFC 9457 problem with <paramref name="status"/>, and nothing of an exception in it.</summary>
    public static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode}, expected {(int)status}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        Assert.True(json.RootElement.TryGetProperty("title", out _));
        NoStackTrace(body);
        return body;
    }

    public static void NoStackTrace(string body)
    {
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", body, StringComparison.Ordinal);
        Assert.DoesNotContain("MailGuard.Host.", body, StringComparison.Ordinal);
    }

    public static void SecurityHeaders(HttpResponseMessage response)
    {
        string what = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}";
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp), what + ": no CSP");
        string policy = string.Join(", ", csp);
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("default-src 'none'", directives);
        Assert.Contains("frame-ancestors 'none'", directives);
        // No script-src at all: default-src 'none' then forbids every script, inline or not.
        Assert.DoesNotContain(directives, d => d.StartsWith("script-src", StringComparison.Ordinal));
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }
}

/// <summary>Mail that the shipped policy holds.</summary>
internal static class HeldMail
{
    public static string[] External(int count, string tag = "ext") =>
        Enumerable.Range(0, count).Select(i => $"{tag}{i}.person@partner{i % 3}.example").ToArray();

    /// <summary>Exposed recipients only: <paramref name="to"/> all in To, nothing about people in the text.</summary>
    public static byte[] Exposing(string subject, string[] to, string body = "Dear all, the meeting moves to Thursday.") => Encoding.UTF8.GetBytes(
        $"From: Clerk <clerk@corp.example>\r\nTo: {string.Join(", ", to)}\r\nSubject: {subject}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{Guid.NewGuid():N}@corp.example>\r\n" +
        $"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n");

    /// <summary>One recipient, a table of people in a CSV attachment and identifiers in the text: personal data, no exposed recipients.</summary>
    public static byte[] PersonalData(string subject, string to, string from = "hr@corp.example") =>
        WithCsv(from, [to], subject, "Please find the claimants attached.", "claimants.csv", People.Csv());

    /// <summary>A multipart message: a text part and a CSV attachment named <paramref name="fileName"/>.</summary>
    public static byte[] WithCsv(string from, string[] to, string subject, string body, string fileName, string csv)
    {
        string boundary = "b-" + Guid.NewGuid().ToString("N");
        return Encoding.UTF8.GetBytes(
            $"From: Sender <{from}>\r\nTo: {string.Join(", ", to)}\r\nSubject: {subject}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{Guid.NewGuid():N}@corp.example>\r\n" +
            $"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n" +
            $"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n" +
            $"--{boundary}\r\nContent-Type: text/csv; charset=utf-8; name=\"{fileName}\"\r\nContent-Disposition: attachment; filename=\"{fileName}\"\r\n\r\n{csv}\r\n" +
            $"--{boundary}--\r\n");
    }
}

/// <summary>Made-up people with identifiers that pass the detectors' validation (NI prefixes of HMRC NIM39110, NHS modulus 11).</summary>
internal static class People
{
    public static readonly string[] Names = ["Zebediah Quill", "Ottoline Marsh", "Peregrine Vance", "Clementine Orr", "Barnaby Fitch", "Philippa Crane"];

    public static readonly string[] Ninos = ["AB123456C", "CE234567A", "JK345678B", "PR456789D", "WX567891A", "SY678912C"];

    public static readonly string[] BirthDates = ["14/03/1987", "02/11/1975", "23/06/1990", "09/09/1962", "30/01/1983", "17/12/1971"];

    public static readonly string[] NhsNumbers = ["943 476 5919", .. new[] { "401023211", "485777345", "234567891", "612345679", "700012345" }.Select(Nhs).Take(5)];

    public static string Csv()
    {
        var csv = new StringBuilder("Name,Date of birth,NI number,NHS number\r\n");
        for (int i = 0; i < Names.Length; i++)
        {
            csv.Append(Names[i]).Append(',').Append(BirthDates[i]).Append(',').Append(Ninos[i]).Append(',').Append(NhsNumbers[i]).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>Nine digits and their modulus 11 check digit, as "ddd ddd dddd" (a base whose check would be 10 gets its last digit bumped).</summary>
    private static string Nhs(string nine)
    {
        while (true)
        {
            int sum = 0;
            for (int i = 0; i < 9; i++)
            {
                sum += (nine[i] - '0') * (10 - i);
            }

            int check = 11 - (sum % 11);
            if (check == 11)
            {
                check = 0;
            }

            if (check != 10)
            {
                string all = nine + (char)('0' + check);
                Assert.True(MailGuard.Inspection.Detection.NhsNumber.IsValid(all));
                return $"{all[..3]} {all[3..6]} {all[6..]}";
            }

            nine = nine[..8] + (char)('0' + ((nine[8] - '0' + 1) % 10));
        }
    }
}

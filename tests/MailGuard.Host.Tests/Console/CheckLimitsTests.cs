using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using MailGuard.Host.Review;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.Host.Tests.Review;

/// <summary>The check API's bounds, each proven by the reply that shows it: 413, 415, 400, 429, 503 busy, 503 timed out.</summary>
public sealed class CheckLimitsTests
{
    [Fact]
    public async Task Size_MediaTypeAndBadDrafts_RefusedWithProblems()
    {
        await using var console = await ConsoleHarness.StartAsync(new Dictionary<string, string?> { ["Check:MaxRequestBytes"] = "20000" });
        var (check, _) = await CheckApiTests.CheckClientAsync(console);

        // Declared too large: refused before a byte is read. Chunked and too large: refused while reading.
        var big = new ByteArrayContent(new byte[20_001]);
        big.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        using (var response = await check.PostAsync("/api/v1/check", big))
        {
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        }

        var chunked = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("Subject: x\r\n\r\n" + new string('a', 30_000))));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/check") { Content = chunked })
        {
            request.Headers.TransferEncodingChunked = true;
            using var response = await check.SendAsync(request);
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        }

        using (var text = await check.PostAsync("/api/v1/check", new StringContent("hello", Encoding.UTF8, "text/plain")))
        {
            await ConsoleAssert.ProblemAsync(text, HttpStatusCode.UnsupportedMediaType);
        }

        foreach (var body in new HttpContent[]
        {
            new StringContent("{not json", Encoding.UTF8, "application/json"),
            JsonContent.Create(new { to = new[] { "bogus-value" } }),
            JsonContent.Create(new { to = new[] { "a@partner.example" }, attachments = new[] { new { name = "x.csv", type = "text/csv", content = "***" } } }),
        })
        {
            using var response = await check.PostAsync("/api/v1/check", body);
            string problem = await ConsoleAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.DoesNotContain("bogus-value", problem, StringComparison.Ordinal);
        }

        // Under the limit it is judged.
        await CheckApiTests.CheckOkAsync(check, JsonContent.Create(CheckApiTests.Draft("Hello", ["friend@partner.example"])));
    }

    [Fact]
    public async Task Rate_PerCaller_429AfterThePermits_OtherTokenUnaffected()
    {
        await using var console = await ConsoleHarness.StartAsync(new Dictionary<string, string?> { ["Check:PermitsPerMinute"] = "3" });
        var (first, _) = await CheckApiTests.CheckClientAsync(console);
        var (second, _) = await CheckApiTests.CheckClientAsync(console);
        var draft = CheckApiTests.Draft("Hello", ["friend@partner.example"]);

        for (int i = 0; i < 3; i++)
        {
            await CheckApiTests.CheckOkAsync(first, JsonContent.Create(draft));
        }

        using (var limited = await first.PostAsJsonAsync("/api/v1/check", draft))
        {
            await ConsoleAssert.ProblemAsync(limited, (HttpStatusCode)429);
            Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        }

        await CheckApiTests.CheckOkAsync(second, JsonContent.Create(draft));
    }

    [Fact]
    public async Task Concurrency_SlotTaken_OthersGet503AtOnce_ThenServed()
    {
        await using var console = await ConsoleHarness.StartAsync(new Dictionary<string, string?> { ["Check:MaxConcurrent"] = "1", ["Check:PermitsPerMinute"] = "10000", ["Check:Timeout"] = "00:01:00" });
        var (check, _) = await CheckApiTests.CheckClientAsync(console);
        var (_, secret) = await console.Accounts.CreateTokenAsync("stalled", MailGuard.Core.Store.ConsoleRole.Reviewer, MailGuard.Core.Store.TokenScope.Check, "test");
        var checks = console.Relay.Services.GetRequiredService<CheckService>();
        byte[] message = HeldMail.Exposing("Rota", HeldMail.External(3));
        var draft = CheckApiTests.Draft("Hello", ["friend@partner.example"]);
        // Once first, so that the checks below are quick (a cold first inspection can take seconds).
        await CheckApiTests.CheckOkAsync(check, JsonContent.Create(draft));

        // A check whose draft arrives slowly holds the one slot; nothing else is sent until it does
        // (sending earlier raced it for the slot and, on a loaded machine, sometimes won it).
        using var stalled = await StalledRequest.StartAsync(console.Address, secret, message);
        await Wait.UntilAsync(() => Task.FromResult(checks.Running == 1));

        var clock = Stopwatch.StartNew();
        using (var busy = await check.PostAsJsonAsync("/api/v1/check", draft))
        {
            string problem = await ConsoleAssert.ProblemAsync(busy, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("Check:MaxConcurrent", problem, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(1), busy.Headers.RetryAfter?.Delta);
        }

        // At once: a busy answer does not wait for the slot.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"503 took {clock.Elapsed.TotalSeconds:F1} s");

        // The slow draft completes and is judged; the slot is free again.
        Assert.Equal(200, await stalled.FinishAsync());
        Assert.Equal(0, checks.Running);
        await CheckApiTests.CheckOkAsync(check, JsonContent.Create(draft));
    }

    [Fact]
    public async Task Time_DraftNotArrivedWithinTimeout_503TimedOut()
    {
        await using var console = await ConsoleHarness.StartAsync(new Dictionary<string, string?> { ["Check:Timeout"] = "00:00:01" });
        var (_, secret) = await console.Accounts.CreateTokenAsync("stalled", MailGuard.Core.Store.ConsoleRole.Reviewer, MailGuard.Core.Store.TokenScope.Check, "test");
        var clock = Stopwatch.StartNew();
        using var stalled = await StalledRequest.StartAsync(console.Address, secret, HeldMail.Exposing("Rota", HeldMail.External(3)));

        var (status, body) = await stalled.ReadResponseAsync();
        Assert.Equal(503, status);
        Assert.Contains("Check:Timeout", body, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(30));
    }

    /// <summary>A check over a raw socket that sends its headers and half its draft, then waits to be told to send the rest.</summary>
    private sealed class StalledRequest : IDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly byte[] _rest;

        private StalledRequest(TcpClient client, byte[] rest)
        {
            _client = client;
            _stream = client.GetStream();
            _rest = rest;
        }

        public static async Task<StalledRequest> StartAsync(Uri address, string token, byte[] message)
        {
            var client = new TcpClient();
            await client.ConnectAsync(address.Host, address.Port);
            var request = new StalledRequest(client, message[(message.Length / 2)..]);
            string head = $"POST /api/v1/check HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {token}\r\nContent-Type: message/rfc822\r\nContent-Length: {message.Length}\r\nConnection: close\r\n\r\n";
            await request._stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await request._stream.WriteAsync(message.AsMemory(0, message.Length / 2));
            await request._stream.FlushAsync();
            return request;
        }

        public async Task<int> FinishAsync()
        {
            await _stream.WriteAsync(_rest);
            await _stream.FlushAsync();
            return (await ReadResponseAsync()).Status;
        }

        /// <summary>The status line's code and everything after the headers (the request asked the server to close the connection after it).</summary>
        public async Task<(int Status, string Body)> ReadResponseAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var all = new MemoryStream();
            await _stream.CopyToAsync(all, timeout.Token);
            string text = Encoding.UTF8.GetString(all.ToArray());
            int headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            Assert.True(headerEnd > 0, "no response: " + text);
            return (int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), text[(headerEnd + 4)..]);
        }

        public void Dispose()
        {
            _stream.Dispose();
            _client.Dispose();
        }
    }
}

using System.Net;
using MailGuard.Core.Store;
using MailGuard.Host;
using MailGuard.Host.Configuration;
using MailGuard.Host.Relay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MailGuard.Testing;

/// <summary>`mailguard run` in-process on 127.0.0.1:0 with its store, spool and pickup in a temp directory.</summary>
internal sealed class TestRelay : IAsyncDisposable
{
    private readonly IHost _host;

    private TestRelay(IHost host, string directory, MailGuardOptions options)
    {
        _host = host;
        Directory = directory;
        Options = options;
    }

    public string Directory { get; }

    public MailGuardOptions Options { get; }

    public string PickupDirectory => Path.Combine(Directory, "pickup");

    public IPEndPoint EndPoint => _host.Services.GetRequiredService<RelayService>().EndPoints[0];

    public int Port => EndPoint.Port;

    public IMessageStore Store => _host.Services.GetRequiredService<IMessageStore>();

    public IServiceProvider Services => _host.Services;

    public static Dictionary<string, string?> DefaultSettings(string directory) => new()
    {
        ["Relay:Listen:0"] = "127.0.0.1:0",
        ["Relay:ServerName"] = "mailguard.test",
        ["Relay:ShutdownGracePeriod"] = "00:00:02",
        ["Storage:Directory"] = Path.Combine(directory, "data"),
        ["Delivery:PickupDirectory"] = Path.Combine(directory, "pickup"),
        ["Delivery:PollInterval"] = "00:00:00.100",
        ["Delivery:Concurrency"] = "4",
        ["Logging:LogLevel:Default"] = "Warning",
        // No console unless a test asks for one (Console:Listen=http://127.0.0.1:0).
        ["Console:Listen"] = "",
    };

    public static async Task<TestRelay> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        string directory = TempDirectory.Create("relay");
        var all = DefaultSettings(directory);
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k] = v;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var options = ConfigurationLoader.Bind(configuration, out var errors);
        Assert.True(errors.Count == 0, string.Join("; ", errors));
        var host = MailGuardServices.BuildHost(configuration, options, configure);
        await host.StartAsync();
        return new TestRelay(host, directory, options);
    }

    /// <summary>Waits until the pickup directory holds <paramref name="count"/> messages (by their .json) and returns them.</summary>
    public async Task<List<PickedUp>> WaitForPickupAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var found = PickedUp.ReadAll(PickupDirectory);
            if (found.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.True(found.Count >= count, $"{found.Count} of {count} messages in the pickup directory");
                return found;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until the store has no queue entry waiting for an attempt (every accepted message was
    /// delivered or failed) and returns what the pickup directory then holds: the proof that nothing
    /// more will arrive, instead of sleeping and looking again.
    /// </summary>
    public async Task<List<PickedUp>> WaitForQueueDrainedAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while ((await Store.GetStatsAsync()).QueuedEntries > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "queue entries still waiting for delivery");
            await Task.Delay(50);
        }

        return PickedUp.ReadAll(PickupDirectory);
    }

    public async Task StopAsync() => await _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            _host.Dispose();
            TempDirectory.Delete(Directory);
        }
    }
}

internal sealed record PickedUp(string Name, byte[] Content, string MailFrom, string[] RcptTo)
{
    public static List<PickedUp> ReadAll(string directory)
    {
        var list = new List<PickedUp>();
        if (!System.IO.Directory.Exists(directory))
        {
            return list;
        }

        foreach (var json in System.IO.Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(json);
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(json));
            list.Add(new PickedUp(
                name,
                File.ReadAllBytes(Path.Combine(directory, name + ".eml")),
                doc.RootElement.GetProperty("mailFrom").GetString()!,
                doc.RootElement.GetProperty("rcptTo").EnumerateArray().Select(e => e.GetString()!).ToArray()));
        }

        return list;
    }

    /// <summary>The content with MailGuard's Received header (the first field, with its folded lines) removed.</summary>
    public byte[] WithoutTraceHeader() => TraceHeader.Strip(Content);
}

internal static class TraceHeader
{
    public static byte[] Strip(byte[] content)
    {
        Assert.True(content.AsSpan().StartsWith("Received: from "u8), "the first header is not MailGuard's Received: " + System.Text.Encoding.UTF8.GetString(content.AsSpan(0, Math.Min(120, content.Length))));
        int i = 0;
        while (true)
        {
            int eol = content.AsSpan(i).IndexOf("\r\n"u8);
            Assert.True(eol >= 0);
            i += eol + 2;
            if (i >= content.Length || (content[i] != (byte)'\t' && content[i] != (byte)' '))
            {
                return content[i..];
            }
        }
    }
}

internal static class TempDirectory
{
    public static string Create(string prefix)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mg-{prefix}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }

    public static void Delete(string dir)
    {
        try
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using MailGuard.Testing;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Faults;

/// <summary>
/// The SQLite store on a small tmpfs that the test fills up under a running `mailguard run`: new
/// mail is refused with a 4xx on a session that stays open, the relay keeps running, and once
/// space is freed the same session is accepted again and every 250 is delivered exactly once.
/// Needs root (mount); skipped with the reason where the mount is not possible.
/// </summary>
[Collection("process environment")]
public sealed class DiskFullTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task SqliteOnFullDisk_4xxWhileFull_RecoversWhenSpaceIsFreed()
    {
        string dir = TempDirectory.Create("diskfull");
        string data = Path.Combine(dir, "data");
        Directory.CreateDirectory(data);
        var (mounted, why) = await TestMessages.RunAsync("mount", ["-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", data]);
        if (mounted != 0)
        {
            TempDirectory.Delete(dir);
            Assert.Fail($"mount -t tmpfs failed as root: {why.Trim()}");
        }

        RelayProcess? relay = null;
        try
        {
            await using var sink = await CaptureSink.StartAsync();
            relay = await RelayProcess.StartAsync(TestMessages.FreePort(),
            [
                $"--Storage:Directory={data}",
                "--Delivery:Mode=Smtp", "--Delivery:Smtp:Host=127.0.0.1", $"--Delivery:Smtp:Port={sink.Port}", "--Delivery:Smtp:StartTls=None",
                "--Delivery:PollInterval=00:00:00.200",
                "--Policy:InternalDomains:0=example.org",
                "--Logging:Format=json",
                "--Logging:LogLevel:Default=Warning",
            ]);
            await using var load = new MailLoad([relay.Port], senders: 2);
            await load.WaitForAcceptedAsync(20, TimeSpan.FromSeconds(60));
            await using var probe = await ProbeSession.OpenAsync(relay.Port);

            // Fill the file system to the last block.
            string filler = Path.Combine(data, "filler");
            long filled = Fill(filler);
            output.WriteLine($"filled {filled / 1024} KiB");

            // A large message goes through a spool file: refused at once, on a session that stays open.
            string big = await probe.SendAsync("big while full", bytes: 400_000);
            Assert.StartsWith("452 4.3.1", big);
            // Small messages are committed inside the database: refused once SQLite needs a page it cannot get.
            string? small = null;
            for (int i = 0; i < 200 && small?.StartsWith('4') != true; i++)
            {
                small = await probe.SendAsync($"small while full {i}");
                Assert.True(small.StartsWith("250", StringComparison.Ordinal) || small.StartsWith('4'), small);
            }

            Assert.StartsWith("4", small);
            await load.WaitForRefusalAsync(small![..9], TimeSpan.FromSeconds(20));
            await relay.WaitForLineAsync("\"EventId\":112,", TimeSpan.FromSeconds(10));
            Assert.False(relay.HasExited, $"the relay exited with {(relay.HasExited ? relay.ExitCode : 0)} on a full disk:\n{relay.Output}");

            File.Delete(filler);
            var freedAt = DateTime.UtcNow;
            string reply;
            do
            {
                reply = await probe.SendAsync("after");
                if (!reply.StartsWith("250", StringComparison.Ordinal))
                {
                    Assert.True(DateTime.UtcNow - freedAt < TimeSpan.FromSeconds(20), $"still refused 20 s after space was freed: {reply}");
                    await Task.Delay(200);
                }
            }
            while (!reply.StartsWith("250", StringComparison.Ordinal));

            int acceptedAfterFree = load.Accepted;
            await load.WaitForAcceptedAsync(acceptedAfterFree + 20, TimeSpan.FromSeconds(30));
            await load.StopAsync();
            string summary = await load.AssertDeliveredExactlyOnceAsync(sink, TimeSpan.FromSeconds(40));
            output.WriteLine($"full-disk reply (database) {small}; (spool) {big}; recovered in {(DateTime.UtcNow - freedAt).TotalSeconds:0.0} s; {summary}");
            await relay.AssertStopsCleanlyAsync();
        }
        finally
        {
            if (relay is not null)
            {
                await relay.DisposeAsync();
            }

            await TestMessages.RunAsync("umount", ["-l", data]);
            TempDirectory.Delete(dir);
        }
    }

    private static long Fill(string path)
    {
        var chunk = new byte[64 * 1024];
        long written = 0;
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                fs.Write(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }

        // The last partial chunk: a block at a time until not even that fits.
        var block = new byte[4096];
        try
        {
            while (true)
            {
                fs.Write(block);
                written += block.Length;
            }
        }
        catch (IOException)
        {
        }

        return written;
    }
}

/// <summary>A fact that needs root (to mount a tmpfs); skipped with the reason for any other user.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "needs root to mount a small tmpfs for the store (CI runs as root)";
        }
    }
}

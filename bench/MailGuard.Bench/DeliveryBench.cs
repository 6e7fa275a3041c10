using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailGuard.Smtp.Client;

namespace MailGuard.Bench;

/// <summary>
/// bench/delivery: the SMTP client alone against Postfix's smtp-sink (started here, on a free
/// loopback port), as DEPENDENCIES.md measured it: 2 KB messages on 1 and 4 connections, and
/// 1 MB messages on 1 connection (the dot-stuffer's share). Reports messages/s (wall) and this
/// process's CPU per message. On a shared machine compare the best round of each build (least
/// disturbed by neighbours) as well as the medians. Two builds are compared by running their outputs alternately:
/// <c>dotnet /tmp/a/MailGuard.Bench.dll delivery; dotnet /tmp/b/MailGuard.Bench.dll delivery</c>.
/// </summary>
internal static class DeliveryBench
{
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        string sink = File.Exists("/usr/sbin/smtp-sink") ? "/usr/sbin/smtp-sink" : "smtp-sink";
        int port = FreePort();
        // smtp-sink refuses to run as root without a user to drop to.
        string user = Environment.UserName == "root" ? "-u nobody " : string.Empty;
        using var process = Process.Start(new ProcessStartInfo(sink, $"{user}127.0.0.1:{port} 256")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("smtp-sink did not start");
        try
        {
            WaitForPort(port);
            byte[] small = MakeMessage(2 * 1024);
            byte[] large = MakeMessage(1024 * 1024);

            // Warm-up: every case once, then a pause for tiered compilation's background work, so
            // the first timed round is not the compiler's.
            Measure(port, small, 2000, 1);
            Measure(port, small, 2000, 4);
            Measure(port, large, 100, 1);
            Thread.Sleep(1000);

            Console.WriteLine($"{"case",-22} {"round",5} {"msgs/s",10} {"cpu us/msg",11}");
            for (int round = 1; round <= rounds; round++)
            {
                Report("2KB x2000, 1 conn", round, Measure(port, small, 2000, 1));
                Report("2KB x2000, 4 conn", round, Measure(port, small, 2000, 4));
                Report("1MB x100, 1 conn", round, Measure(port, large, 100, 1));
            }
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }

        return 0;
    }

    private static void Report(string name, int round, (double PerSecond, double CpuMicros) r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-22} {round,5} {r.PerSecond,10:F0} {r.CpuMicros,11:F1}"));

    private static (double PerSecond, double CpuMicros) Measure(int port, byte[] content, int messages, int connections)
    {
        var options = new SmtpClientOptions { Host = "127.0.0.1", Port = port, StartTls = StartTlsMode.None, ClientName = "bench.test" };
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
        {
            await using var client = new SmtpDeliveryClient(options);
            for (int i = c; i < messages; i += connections)
            {
                var result = await client.SendAsync(new SmtpOutgoingMessage("sender@bench.test", ["rcpt@bench.test"], new MemoryStream(content, writable: false)));
                if (result.Outcome != DeliveryOutcome.Delivered)
                {
                    throw new InvalidOperationException($"not delivered: {result.Outcome} {result.Reply} {result.Exception?.Message}");
                }
            }
        })).ToArray();
        Task.WaitAll(tasks);
        wall.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return (messages / wall.Elapsed.TotalSeconds, used.TotalMicroseconds / messages);
    }

    /// <summary>Text with CRLF lines, some starting with a dot, so the stuffer inserts bytes.</summary>
    private static byte[] MakeMessage(int size)
    {
        var text = new StringBuilder("From: sender@bench.test\r\nTo: rcpt@bench.test\r\nSubject: bench\r\n\r\n");
        int line = 0;
        while (text.Length < size)
        {
            text.Append(line++ % 20 == 0 ? ".dot line " : "body line ").Append(line.ToString(CultureInfo.InvariantCulture)).Append(' ', 50).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WaitForPort(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var socket = new TcpClient();
                socket.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException("smtp-sink is not listening");
    }
}

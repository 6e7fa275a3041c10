using System.Net;
using MailGuard.Smtp.Server;

namespace MailGuard.Smtp.Tests.Infrastructure;

/// <summary>A real server on 127.0.0.1:0 with test hooks.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(SmtpServer server, SmtpServerOptions options, TestHooks hooks)
    {
        Server = server;
        Options = options;
        Hooks = hooks;
    }

    public SmtpServer Server { get; }

    public SmtpServerOptions Options { get; }

    public TestHooks Hooks { get; }

    public int Port => Server.PlainEndPoints[0].Port;

    public int ImplicitTlsPort => Server.ImplicitTlsEndPoints[0].Port;

    public static async Task<TestServer> StartAsync(Action<SmtpServerOptions>? configure = null, TestHooks? hooks = null, bool tls = false, bool implicitTls = false)
    {
        var options = new SmtpServerOptions { ServerName = "mx.test" };
        options.Listen.Clear();
        options.Listen.Add(new IPEndPoint(IPAddress.Loopback, 0));
        if (tls || implicitTls)
        {
            options.ServerCertificate = TestCertificates.Localhost;
        }

        if (implicitTls)
        {
            options.ImplicitTlsListen.Add(new IPEndPoint(IPAddress.Loopback, 0));
        }

        configure?.Invoke(options);
        hooks ??= new TestHooks();
        var server = new SmtpServer(options, hooks);
        var testServer = new TestServer(server, options, hooks);
        server.SessionFaulted += (_, e) => testServer.Faults.Enqueue(e.Exception);
        await server.StartAsync();
        return testServer;
    }

    public async Task<RawClient> ConnectAsync(bool readGreeting = true, System.Net.IPAddress? from = null)
    {
        var client = await RawClient.ConnectAsync(Port, from);
        if (readGreeting)
        {
            var greeting = await client.ReadReplyAsync();
            Assert.StartsWith("220 ", greeting);
        }

        return client;
    }

    /// <summary>Unexpected session exceptions (bugs); checked on dispose.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<Exception> Faults { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Assert.True(Faults.IsEmpty, "Session faulted: " + string.Join("\n", Faults));
    }
}

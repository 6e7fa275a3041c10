using System.Net;
using System.Net.Sockets;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Testing;
using Npgsql;

namespace MailGuard.Store.Tests;

/// <summary>
/// A COMMIT that reaches PostgreSQL and is applied, with the reply lost on the way back (the
/// connection cut): caused for real by a proxy between the store and the server. The store must
/// find out that the commit happened instead of reporting a failure: an enqueue that reported one
/// would have the relay answer 451 for a stored message (a duplicate when the client sends it
/// again), a claim that reported one would leave its entries leased and undelivered for the lease.
/// </summary>
public sealed class PostgresLostCommitTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static NewMessage Message(params string[] recipients) =>
        new(MessageIds.New(TimeProvider.System), "clerk@corp.example", recipients, DateTimeOffset.UtcNow, "127.0.0.1", "mta.corp.example", null, 5, InlineContent: Encoding.ASCII.GetBytes("hello"));

    [PostgresFact]
    public async Task Enqueue_CommitReplyLost_StoredAndReportedStored()
    {
        await using var proxy = await CommitCuttingProxy.StartAsync(await database.NewSchemaAsync());
        await using var store = new PostgresMessageStore(new PostgresStoreOptions { ConnectionString = proxy.ConnectionString }, TimeProvider.System);
        await store.InitializeAsync();
        var message = Message("a@ext.example");

        proxy.CutNextCommit();
        await store.EnqueueAsync(message);

        Assert.Equal(1, proxy.CommitsCut);
        Assert.Equal(1L, await PostgresDatabaseFixture.ScalarAsync(proxy.DirectConnectionString, $"SELECT count(*) FROM messages WHERE id = '{message.Id}'"));
    }

    [PostgresFact]
    public async Task Claim_CommitReplyLost_TheLeasedMessagesAreReturned()
    {
        await using var proxy = await CommitCuttingProxy.StartAsync(await database.NewSchemaAsync());
        await using var store = new PostgresMessageStore(new PostgresStoreOptions { ConnectionString = proxy.ConnectionString }, TimeProvider.System);
        await store.InitializeAsync();
        var message = Message("a@ext.example", "b@ext.example");
        await store.EnqueueAsync(message);

        proxy.CutNextCommit();
        var claimed = await store.ClaimDueAsync("node-a", 10, TimeSpan.FromMinutes(5));

        Assert.Equal(1, proxy.CommitsCut);
        var only = Assert.Single(claimed);
        Assert.Equal(message.Id, only.Message.Id);
        Assert.Equal(2, only.Recipients.Count);
        // Leased once, to this node: nothing else can claim it, and this node has it in hand.
        Assert.Equal(2L, await PostgresDatabaseFixture.ScalarAsync(proxy.DirectConnectionString, $"SELECT count(*) FROM queue WHERE message_id = '{message.Id}' AND lease_owner = 'node-a'"));
        Assert.Empty(await store.ClaimDueAsync("node-b", 10, TimeSpan.FromMinutes(5)));
    }

    /// <summary>
    /// Forwards PostgreSQL's protocol both ways; once armed, the next connection that sends a
    /// COMMIT has it delivered, the server's reply read and dropped, and both sides closed.
    /// </summary>
    private sealed class CommitCuttingProxy : IAsyncDisposable
    {
        // The statement itself, NUL-terminated as the protocol sends it ("READ COMMITTED" in a BEGIN is not it).
        private static readonly byte[] s_commit = Encoding.ASCII.GetBytes("COMMIT\0");
        private readonly TcpListener _listener;
        private readonly IPEndPoint _server;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _pumps = [];
        private int _armed;
        private int _cut;

        private CommitCuttingProxy(string direct, IPEndPoint server)
        {
            DirectConnectionString = direct;
            _server = server;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            var builder = new NpgsqlConnectionStringBuilder(direct) { Host = "127.0.0.1", Port = ((IPEndPoint)_listener.LocalEndpoint).Port, Pooling = true };
            ConnectionString = builder.ToString();
        }

        public string ConnectionString { get; }

        public string DirectConnectionString { get; }

        public int CommitsCut => Volatile.Read(ref _cut);

        public static async Task<CommitCuttingProxy> StartAsync(string direct)
        {
            var builder = new NpgsqlConnectionStringBuilder(direct);
            var addresses = await Dns.GetHostAddressesAsync(builder.Host!);
            var proxy = new CommitCuttingProxy(direct, new IPEndPoint(addresses.First(a => a.AddressFamily == AddressFamily.InterNetwork), builder.Port));
            proxy._pumps.Add(proxy.AcceptAsync());
            return proxy;
        }

        public void CutNextCommit() => Volatile.Write(ref _armed, 1);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await Task.WhenAll(_pumps.ToArray());
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // Closed on purpose.
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await server.ConnectAsync(_server, _stop.Token);
                var connection = new Connection(this, client, server);
                lock (_pumps)
                {
                    _pumps.Add(connection.RunAsync(_stop.Token));
                }
            }
        }

        private sealed class Connection(CommitCuttingProxy owner, Socket client, Socket server)
        {
            private volatile bool _cutting;

            public async Task RunAsync(CancellationToken stop)
            {
                try
                {
                    await Task.WhenAll(ToServerAsync(stop), ToClientAsync(stop));
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
                {
                    // One side closed: the other goes with it.
                }
                finally
                {
                    client.Dispose();
                    server.Dispose();
                }
            }

            private async Task ToServerAsync(CancellationToken stop)
            {
                var buffer = new byte[64 * 1024];
                int n;
                while ((n = await client.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
                {
                    if (buffer.AsSpan(0, n).IndexOf(s_commit) >= 0 && Interlocked.Exchange(ref owner._armed, 0) == 1)
                    {
                        _cutting = true;
                    }

                    await server.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, stop);
                }

                server.Shutdown(SocketShutdown.Send);
            }

            private async Task ToClientAsync(CancellationToken stop)
            {
                var buffer = new byte[64 * 1024];
                int n;
                while ((n = await server.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
                {
                    if (_cutting)
                    {
                        // The server has answered the COMMIT: it is applied. The client never hears it.
                        Interlocked.Increment(ref owner._cut);
                        client.Close();
                        server.Close();
                        return;
                    }

                    await client.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, stop);
                }

                client.Shutdown(SocketShutdown.Send);
            }
        }
    }
}

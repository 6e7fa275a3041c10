using MailGuard.Core.Dispositions;

namespace MailGuard.Core.Tests.Dispositions;

/// <summary>The inspection pool at its edges: work runs on the pool's threads, at most Workers + MaxQueued admitted, a freed place admits again.</summary>
public sealed class InspectionPoolTests
{
    [Fact]
    public async Task TryRun_RunsOnAPoolThread_ReturnsTheResult()
    {
        using var pool = new InspectionPool(workers: 2, maxQueued: 1);

        var task = pool.TryRun(_ => ValueTask.FromResult(Thread.CurrentThread.Name), CancellationToken.None);

        Assert.NotNull(task);
        Assert.StartsWith("mailguard-inspection-", await task);
    }

    [Fact]
    public async Task TryRun_WorkersAndQueueFull_RefusedUntilOneFinishes()
    {
        using var pool = new InspectionPool(workers: 2, maxQueued: 1);
        var release = new ManualResetEventSlim();
        var started = new CountdownEvent(2);
        Func<CancellationToken, ValueTask<int>> blocking = _ =>
        {
            started.Signal();
            release.Wait();
            return ValueTask.FromResult(1);
        };

        var running = new[] { pool.TryRun(blocking, CancellationToken.None), pool.TryRun(blocking, CancellationToken.None) };
        Assert.True(started.Wait(TimeSpan.FromSeconds(20)));
        var queued = pool.TryRun(_ => ValueTask.FromResult(2), CancellationToken.None);

        // At the limit (2 running, 1 queued): the next is refused and nothing is counted for it.
        Assert.Equal((2, 1, true), (pool.Running, pool.Queued, pool.IsFull));
        Assert.Null(pool.TryRun(_ => ValueTask.FromResult(3), CancellationToken.None));
        Assert.Equal((2, 1), (pool.Running, pool.Queued));

        release.Set();
        int[] results = await Task.WhenAll(running[0]!, running[1]!, queued!);
        Assert.Equal(new[] { 1, 1, 2 }, results);
        Assert.False(pool.IsFull);
        Assert.Equal(4, await pool.TryRun(_ => ValueTask.FromResult(4), CancellationToken.None)!);
    }

    [Fact]
    public async Task TryRun_WorkThrows_TaskFaultsAndTheWorkerGoesOn()
    {
        using var pool = new InspectionPool(workers: 1, maxQueued: 0);

        var failing = pool.TryRun<int>(_ => throw new InvalidOperationException("bug"), CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing!);
        await WaitUntilAsync(() => !pool.IsFull);
        Assert.Equal(5, await pool.TryRun(_ => ValueTask.FromResult(5), CancellationToken.None)!);
    }

    [Fact]
    public async Task TryRun_CancelledBeforeItStarts_Cancelled()
    {
        using var pool = new InspectionPool(workers: 1, maxQueued: 1);
        using var cts = new CancellationTokenSource();
        var release = new ManualResetEventSlim();
        var blocker = pool.TryRun(_ =>
        {
            release.Wait();
            return ValueTask.FromResult(0);
        }, CancellationToken.None);
        var waiting = pool.TryRun(_ => ValueTask.FromResult(1), cts.Token);

        cts.Cancel();
        release.Set();

        await blocker!;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting!);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 20 s");
            await Task.Delay(10);
        }
    }
}

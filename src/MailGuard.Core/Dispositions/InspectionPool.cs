using System.Collections.Concurrent;

namespace MailGuard.Core.Dispositions;

/// <summary>
/// Where messages are inspected: a fixed number of worker threads of its own, fed by a bounded
/// queue. Inspection is CPU-bound and synchronous (parsing, extraction, detectors), so it runs
/// here instead of on the SMTP session's thread-pool thread: a burst of large messages then
/// waits its turn instead of starving the thread pool that every session (and the console)
/// needs, and when even the queue is full a new message is refused with a temporary reply
/// instead of piling up.
/// </summary>
public sealed class InspectionPool : IDisposable
{
    private readonly BlockingCollection<WorkItem> _queue = [];
    private readonly Thread[] _threads;
    private int _inFlight;
    private int _running;

    /// <param name="workers">Worker threads, at least 1.</param>
    /// <param name="maxQueued">Messages that may wait for a worker while all are busy, at least 0.</param>
    public InspectionPool(int workers, int maxQueued)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueued);
        Workers = workers;
        MaxQueued = maxQueued;
        _threads = new Thread[workers];
        for (int i = 0; i < workers; i++)
        {
            // Background threads: a host that stops without disposing the pool is not kept alive.
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"mailguard-inspection-{i + 1}" };
            _threads[i].Start();
        }
    }

    public int Workers { get; }

    public int MaxQueued { get; }

    /// <summary>Messages being inspected now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Messages admitted and waiting for a worker.</summary>
    public int Queued => Math.Max(0, Volatile.Read(ref _inFlight) - Running);

    /// <summary>True when a message handed over now would be refused: every worker busy and the queue full.</summary>
    public bool IsFull => Volatile.Read(ref _inFlight) >= Workers + MaxQueued;

    /// <summary>
    /// Runs <paramref name="work"/> on a worker and completes with its result (continuations run
    /// on the thread pool, never on the worker). Null when the pool is full: nothing was queued and
    /// the caller answers "try again later".
    /// </summary>
    public Task<T>? TryRun<T>(Func<CancellationToken, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Interlocked.Increment(ref _inFlight) > Workers + MaxQueued)
        {
            Interlocked.Decrement(ref _inFlight);
            return null;
        }

        var item = new WorkItem<T>(work, cancellationToken);
        try
        {
            _queue.Add(item);
        }
        catch (InvalidOperationException)
        {
            // Disposed (the host is stopping): nothing will run it.
            Interlocked.Decrement(ref _inFlight);
            return null;
        }

        return item.Completion.Task;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var thread in _threads)
        {
            // A worker finishes the message in hand (bounded by the inspection time budget).
            thread.Join();
        }

        _queue.Dispose();
    }

    private void Work()
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            Interlocked.Increment(ref _running);
            try
            {
                item.Execute();
            }
            finally
            {
                // Counted free before the caller hears the result: whoever awaited it finds the place open.
                Interlocked.Decrement(ref _running);
                Interlocked.Decrement(ref _inFlight);
                item.Complete();
            }
        }
    }

    private abstract class WorkItem
    {
        /// <summary>Runs the work and keeps its outcome; never throws.</summary>
        public abstract void Execute();

        /// <summary>Hands the outcome to the caller.</summary>
        public abstract void Complete();
    }

    private sealed class WorkItem<T>(Func<CancellationToken, ValueTask<T>> work, CancellationToken cancellationToken) : WorkItem
    {
        private T? _result;
        private Exception? _error;
        private bool _cancelled;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _cancelled = true;
                return;
            }

            try
            {
                var pending = work(cancellationToken);
                // Inspection is synchronous; a ValueTask that is not yet complete is waited for here,
                // on the worker, which is what the worker is for.
                _result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _cancelled = true;
            }
            catch (Exception ex)
            {
                // Handed to the caller, who logs it once (a bug in inspection fails that message closed).
                _error = ex;
            }
        }

        public override void Complete()
        {
            if (_cancelled)
            {
                Completion.TrySetCanceled(cancellationToken);
            }
            else if (_error is not null)
            {
                Completion.TrySetException(_error);
            }
            else
            {
                Completion.TrySetResult(_result!);
            }
        }
    }
}

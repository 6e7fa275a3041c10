using System.IO.Pipelines;

namespace MailGuard.Smtp.Server;

/// <summary>
/// How long a read may wait: CommandTimeout for a whole command line, DataTimeout inside content,
/// and the minimum rates (MinimumCommandRate over the session's commands, MinimumDataRate over a
/// message's content), each counting only the time spent waiting for the client.
/// </summary>
internal sealed partial class SmtpSession
{
    private void StartRateWindow()
    {
        _rateBytes = 0;
        _rateElapsed = TimeSpan.Zero;
    }

    private readonly record struct ReadOutcome(ReadResult Result, bool TimedOut, bool RateTooLow);

    private async ValueTask<ReadOutcome> ReadWithTimeoutAsync(PipeReader reader)
    {
        var inContent = _mode is Mode.Data or Mode.Bdat;
        var started = _time.GetTimestamp();
        TimeSpan timeout;
        if (inContent)
        {
            _lineStarted = null;
            timeout = _options.DataTimeout;
        }
        else
        {
            // CommandTimeout bounds the whole line, from when we began waiting for it: a byte of it
            // arriving does not restart the clock (slow-loris: one byte every 50 s would otherwise
            // hold the session for ever).
            _lineStarted ??= started;
            timeout = _options.CommandTimeout - _time.GetElapsedTime(_lineStarted.Value, started);
            if (timeout <= TimeSpan.Zero)
            {
                return new ReadOutcome(default, TimedOut: true, RateTooLow: false);
            }
        }

        // Time the client may still take: grace + bytes/rate, minus time already spent waiting for
        // it. Only time inside reads counts, so a slow hook or disk does not penalize the client.
        var rateBound = false;
        var rate = inContent ? _options.MinimumDataRate : _options.MinimumCommandRate;
        if (rate is not null)
        {
            double allowedSeconds = rate.GracePeriod.TotalSeconds + ((inContent ? _rateBytes : _commandBytes) / rate.BytesPerSecond)
                - (inContent ? _rateElapsed : _commandElapsed).TotalSeconds;
            if (allowedSeconds <= 0)
            {
                return new ReadOutcome(default, TimedOut: true, RateTooLow: true);
            }

            if (allowedSeconds < timeout.TotalSeconds)
            {
                timeout = TimeSpan.FromSeconds(allowedSeconds);
                rateBound = true;
            }
        }

        _timeoutCts.CancelAfter(timeout);
        try
        {
            var result = await reader.ReadAsync(_timeoutCts.Token);
            return new ReadOutcome(result, false, false);
        }
        catch (OperationCanceledException) when (_timeoutCts.IsCancellationRequested)
        {
            return new ReadOutcome(default, TimedOut: true, RateTooLow: rateBound);
        }
        finally
        {
            if (inContent)
            {
                _rateElapsed += _time.GetElapsedTime(started);
            }
            else
            {
                _commandElapsed += _time.GetElapsedTime(started);
            }

            if (!_timeoutCts.TryReset())
            {
                _timeoutCts.Dispose();
                _timeoutCts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
            }
        }
    }
}

using System.Buffers;

namespace MailGuard.Smtp.Server;

/// <summary>Message content: DATA (dot-unstuffed by <see cref="DataFramer"/>) and BDAT chunks (RFC 3030), size enforced while reading.</summary>
internal sealed partial class SmtpSession
{
    private async ValueTask<Next> DataAsync(string args)
    {
        if (args.Trim(' ').Length > 0)
        {
            return Error(new SmtpReply(501, "5.5.4", "Syntax: DATA"));
        }

        if (await BeginMessageAsync() is { } failure)
        {
            return Reply(failure);
        }

        _framer.Reset();
        _mode = Mode.Data;
        StartRateWindow();
        return Reply(new SmtpReply(354, null, "End data with <CR><LF>.<CR><LF>"));
    }

    /// <summary>Asks the host for a message writer; returns the reply to send when that fails.</summary>
    private async ValueTask<SmtpReply?> BeginMessageAsync()
    {
        var envelope = _envelope!;
        SmtpReply? refusal;
        try
        {
            refusal = await _hooks.OnDataAsync(Context, envelope, SessionToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !SessionToken.IsCancellationRequested)
        {
            refusal = new SmtpReply(451, "4.3.0", "Local error in processing");
        }

        if (refusal is { } refused)
        {
            await ResetTransactionAsync();
            _engine.Reset(SmtpState.Ready);
            // Only a refusal may end the transaction here; anything else is the hook's bug.
            return refused.Code is >= 400 and < 600 ? refused : new SmtpReply(451, "4.3.0", "Local error in processing");
        }

        try
        {
            _messageWriter = await _hooks.BeginMessageAsync(Context, envelope, SessionToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !SessionToken.IsCancellationRequested)
        {
            await ResetTransactionAsync();
            _engine.Reset(SmtpState.Ready);
            return new SmtpReply(451, "4.3.0", "Local error in processing");
        }

        _overflow = false;
        envelope.MessageBytes = 0;
        envelope.LongLineCount = 0;
        envelope.BareLineFeedCount = 0;
        return null;
    }

    private async ValueTask<(long Used, bool Ended)> ConsumeDataAsync(ReadOnlySequence<byte> buffer)
    {
        _decodeBuffer ??= ArrayPool<byte>.Shared.Rent(DecodeBufferSize);
        long used = 0;
        foreach (var segment in buffer)
        {
            var offset = 0;
            while (offset < segment.Length)
            {
                var ended = _framer.Decode(segment.Span[offset..], _decodeBuffer, out var consumed, out var written);
                offset += consumed;
                used += consumed;
                _rateBytes += consumed;
                if (written > 0)
                {
                    await WriteContentAsync(_decodeBuffer.AsMemory(0, written));
                }

                if (ended)
                {
                    return (used, true);
                }
            }
        }

        return (used, false);
    }

    private async ValueTask WriteContentAsync(ReadOnlyMemory<byte> content)
    {
        var envelope = _envelope!;
        envelope.MessageBytes += content.Length;
        if (_overflow)
        {
            return;
        }

        // Enforced while reading (RFC 1870 §6); the rest is drained and 552 sent at the end.
        if (envelope.MessageBytes > _options.MaxMessageBytes)
        {
            _overflow = true;
            return;
        }

        if (_messageWriter is not null)
        {
            await _messageWriter.Content.WriteAsync(content, SessionToken);
        }
    }

    private async ValueTask<Next> FinishMessageAsync()
    {
        _mode = Mode.Command;
        var envelope = _envelope!;
        envelope.LongLineCount = _framer.LongLineCount;
        envelope.BareLineFeedCount = _framer.BareLineFeedCount;
        var reply = await CompleteMessageAsync();
        return Reply(reply);
    }

    private async ValueTask<SmtpReply> CompleteMessageAsync()
    {
        var envelope = _envelope!;
        SmtpReply reply;
        if (_overflow)
        {
            await AbortMessageAsync();
            reply = new SmtpReply(552, "5.3.4", "Message size exceeds fixed maximum message size");
        }
        else
        {
            var writer = _messageWriter!;
            _messageWriter = null;
            try
            {
                reply = await writer.CommitAsync(envelope, SessionToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !SessionToken.IsCancellationRequested)
            {
                reply = new SmtpReply(451, "4.3.0", "Local error in processing");
            }
            finally
            {
                await DisposeQuietlyAsync(writer);
            }
        }

        // After the end of data the transaction is over whatever the outcome (RFC 5321 §4.1.1.4).
        _envelope = null;
        _engine.Reset(SmtpState.Ready);
        return reply;
    }

    private async ValueTask<Next> BdatAsync(string args)
    {
        if (!SmtpCommandParser.TryParseBdatArguments(args, out var size, out var last))
        {
            // Without a valid size we cannot know where the chunk ends; the bytes that follow will
            // be read as commands and fail, as RFC 3030 §4.2 accepts.
            return Error(new SmtpReply(501, "5.5.4", "Syntax: BDAT chunk-size [LAST]"));
        }

        _bdatRemaining = size;
        _bdatLast = last;
        _mode = Mode.Bdat;
        StartRateWindow();
        if (!_engine.TryBegin(SmtpVerb.Bdat))
        {
            // The chunk is still read and discarded so its bytes are never taken for commands.
            _bdatDrainReply = (BadSequence(SmtpVerb.Bdat), true);
            return Next.Continue;
        }

        _bdatDrainReply = null;
        if (_engine.State == SmtpState.Rcpt)
        {
            if (await BeginMessageAsync() is { } failure)
            {
                _bdatDrainReply = (failure, false);
                return Next.Continue;
            }

            _envelope!.UsedChunking = true;
            _bdatLineLength = 0;
        }

        return Next.Continue;
    }

    private async ValueTask<long> ConsumeChunkAsync(ReadOnlySequence<byte> buffer)
    {
        var take = Math.Min(_bdatRemaining, buffer.Length);
        if (take == 0)
        {
            return 0;
        }

        var chunk = buffer.Slice(0, take);
        _bdatRemaining -= take;
        _rateBytes += take;
        if (_bdatDrainReply is not null)
        {
            return take;
        }

        foreach (var segment in chunk)
        {
            CountBdatLines(segment.Span);
            await WriteContentAsync(segment);
        }

        return take;
    }

    private void CountBdatLines(ReadOnlySpan<byte> span)
    {
        // BDAT content is raw (RFC 3030 §2), but over-long lines are still worth reporting to the host.
        var envelope = _envelope!;
        while (span.Length > 0)
        {
            var lf = span.IndexOf((byte)'\n');
            var run = lf < 0 ? span.Length : lf;
            var before = _bdatLineLength;
            _bdatLineLength += run;
            if (before <= DataFramer.MaxLineOctets + 1 && _bdatLineLength > DataFramer.MaxLineOctets + 1)
            {
                // +1: the CR of CRLF is counted in the run.
                envelope.LongLineCount++;
            }

            if (lf < 0)
            {
                return;
            }

            _bdatLineLength = 0;
            span = span[(lf + 1)..];
        }
    }

    private async ValueTask<Next> FinishChunkAsync()
    {
        _mode = Mode.Command;
        if (_bdatDrainReply is var (reply, isClientError))
        {
            _bdatDrainReply = null;
            return isClientError ? Error(reply) : Reply(reply);
        }

        var envelope = _envelope!;
        if (_overflow)
        {
            // RFC 3030 §4.1: a failed chunk ends the transaction; later chunks get 503 and are discarded.
            return Reply(await CompleteMessageAsync());
        }

        if (_bdatLast)
        {
            return Reply(await CompleteMessageAsync());
        }

        _engine.Commit();
        return Reply(new SmtpReply(250, "2.0.0", $"{envelope.MessageBytes} octets received"));
    }
}

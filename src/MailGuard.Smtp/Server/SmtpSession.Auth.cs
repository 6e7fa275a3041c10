using System.Buffers;
using System.Text;

namespace MailGuard.Smtp.Server;

/// <summary>AUTH PLAIN (RFC 4616) and LOGIN, only under TLS (RFC 4954 §4, §14). Credentials go to the hook and nowhere else.</summary>
internal sealed partial class SmtpSession
{
    private async ValueTask<Next> AuthAsync(string args)
    {
        if (!Context.IsSecure)
        {
            return Error(new SmtpReply(530, "5.7.0", "Must issue a STARTTLS command first"));
        }

        if (Context.IsAuthenticated)
        {
            return Error(new SmtpReply(503, "5.5.1", "Error: already authenticated"));
        }

        var parts = args.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            return Error(new SmtpReply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"));
        }

        var mechanism = parts[0].ToUpperInvariant();
        var initial = parts.Length > 1 ? parts[1] : null;
        _authMechanism = mechanism;
        switch (mechanism)
        {
            case "PLAIN":
                if (initial is null)
                {
                    _mode = Mode.AuthPlain;
                    return Reply(new SmtpReply(334, null, string.Empty));
                }

                return await AuthPlainAsync(initial);
            case "LOGIN":
                if (initial is null)
                {
                    _mode = Mode.AuthLoginUser;
                    return Reply(new SmtpReply(334, null, "VXNlcm5hbWU6"));
                }

                return AuthLoginUser(initial);
            default:
                return Error(new SmtpReply(504, "5.5.4", "Unrecognized authentication type"));
        }
    }

    private async ValueTask<Next> HandleAuthResponseAsync(ReadOnlySequence<byte> lineBytes)
    {
        var mode = _mode;
        _mode = Mode.Command;
        var line = Encoding.ASCII.GetString(lineBytes).Trim(' ');
        if (line == "*")
        {
            _authUser = null;
            return Error(new SmtpReply(501, "5.7.0", "Authentication aborted"));
        }

        return mode switch
        {
            Mode.AuthPlain => await AuthPlainAsync(line),
            Mode.AuthLoginUser => AuthLoginUser(line),
            _ => await AuthLoginPasswordAsync(line),
        };
    }

    private async ValueTask<Next> AuthPlainAsync(string base64)
    {
        // RFC 4616 §2: [authzid] NUL authcid NUL passwd; "=" is an empty initial response (RFC 4954 §4).
        if (!TryDecodeBase64(base64, out var decoded))
        {
            return Error(new SmtpReply(501, "5.5.2", "Cannot decode response"));
        }

        var fields = decoded.Split('\0');
        if (fields.Length != 3 || fields[1].Length == 0 || (fields[0].Length > 0 && fields[0] != fields[1]))
        {
            return Error(new SmtpReply(535, "5.7.8", "Authentication credentials invalid"));
        }

        return await CompleteAuthAsync(fields[1], fields[2]);
    }

    private Next AuthLoginUser(string base64)
    {
        if (!TryDecodeBase64(base64, out var user) || user.Length == 0)
        {
            return Error(new SmtpReply(501, "5.5.2", "Cannot decode response"));
        }

        _authUser = user;
        _mode = Mode.AuthLoginPassword;
        return Reply(new SmtpReply(334, null, "UGFzc3dvcmQ6"));
    }

    private async ValueTask<Next> AuthLoginPasswordAsync(string base64)
    {
        var user = _authUser;
        _authUser = null;
        if (user is null || !TryDecodeBase64(base64, out var password))
        {
            return Error(new SmtpReply(501, "5.5.2", "Cannot decode response"));
        }

        return await CompleteAuthAsync(user, password);
    }

    private async ValueTask<Next> CompleteAuthAsync(string user, string password)
    {
        SmtpAuthResult result;
        try
        {
            result = await _hooks.AuthenticateAsync(Context, _authMechanism!, user, password, SessionToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !SessionToken.IsCancellationRequested)
        {
            result = SmtpAuthResult.Unavailable;
        }

        switch (result)
        {
            case SmtpAuthResult.Succeeded:
                break;
            case SmtpAuthResult.Failed:
                return Error(new SmtpReply(535, "5.7.8", "Authentication credentials invalid"));
            case SmtpAuthResult.Throttled:
                return Error(new SmtpReply(454, "4.7.0", "Too many failed authentication attempts, try again later"));
            default:
                return Reply(new SmtpReply(454, "4.7.0", "Temporary authentication failure"));
        }

        Context.AuthenticatedUser = user;
        _server.Authenticated(this);
        return Reply(new SmtpReply(235, "2.7.0", "Authentication successful"));
    }

    private static bool TryDecodeBase64(string text, out string value)
    {
        value = string.Empty;
        if (text == "=")
        {
            return true;
        }

        var bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, bytes, out var n))
        {
            return false;
        }

        try
        {
            value = new UTF8Encoding(false, true).GetString(bytes, 0, n);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}

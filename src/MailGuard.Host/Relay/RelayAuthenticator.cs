using MailGuard.Core.Store;
using MailGuard.Smtp.Server;

namespace MailGuard.Host.Relay;

/// <summary>Checks AUTH credentials. The default knows no users, so AUTH always fails until a user store is configured.</summary>
public interface IRelayAuthenticator
{
    ValueTask<bool> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken);
}

internal sealed class NoUsersAuthenticator : IRelayAuthenticator
{
    public ValueTask<bool> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}

internal static class EnvelopeFlags
{
    public static MessageFlags Of(SmtpEnvelope envelope) =>
        (envelope.BodyType == SmtpBodyType.EightBitMime ? MessageFlags.EightBit : MessageFlags.None)
        | (envelope.SmtpUtf8 ? MessageFlags.SmtpUtf8 : MessageFlags.None);
}

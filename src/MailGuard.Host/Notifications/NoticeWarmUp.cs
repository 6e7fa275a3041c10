using MailGuard.Core.Notices;

namespace MailGuard.Host.Notifications;

/// <summary>
/// Notices are built before the 250 of the message that causes them; the first one would load
/// MimeKit then (0.1-0.3 s of CPU in a fresh process). Built once at start instead, off the
/// start-up path, so no client waits for it.
/// </summary>
internal sealed class NoticeWarmUp : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(PolicyNotice.WarmUp, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

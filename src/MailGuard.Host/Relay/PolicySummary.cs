using MailGuard.Core.Policy;

namespace MailGuard.Host.Relay;

/// <summary>
/// At start, one line says which policy is in force (internal domains, audit-only, each rule with
/// its action), so an operator reading the log knows what the relay will do before the first
/// message; and a warning says when no internal domain is set, which makes every recipient
/// external (every rule about "outside the organisation" then applies to internal mail too).
/// </summary>
internal sealed partial class PolicySummary(PolicyOptions policy, ILogger<PolicySummary> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!policy.Enabled)
        {
            LogPolicy(logger, "off (Policy:Enabled=false): every message is delivered uninspected", "-", false, "-");
            return Task.CompletedTask;
        }

        string domains = policy.InternalDomains.Count == 0 ? "(none)" : string.Join(", ", policy.InternalDomains);
        var rules = policy.Rules.Where(r => r.Enabled).OrderBy(r => r.Priority)
            .Select(r => $"{r.Name}={r.Action.ToString().ToLowerInvariant()}{(r.AuditOnly ? " (audit-only)" : "")}");
        LogPolicy(logger, "on", domains, policy.AuditOnly, string.Join("; ", rules));
        if (policy.InternalDomains.Count == 0)
        {
            LogNoInternalDomains(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.PolicyInForce, Level = LogLevel.Information, Message = "Policy {State}: internal domains {InternalDomains}; audit-only {AuditOnly}; rules by priority: {Rules}")]
    private static partial void LogPolicy(ILogger logger, string state, string internalDomains, bool auditOnly, string rules);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.NoInternalDomains, Level = LogLevel.Warning, Message = "Policy:InternalDomains is empty: every recipient counts as external, so rules for mail leaving the organisation apply to all mail. Set it to your domains (subdomains are included)")]
    private static partial void LogNoInternalDomains(ILogger logger);
}

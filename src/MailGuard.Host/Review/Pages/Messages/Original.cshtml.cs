using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Inspection;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

/// <summary>The admin's unmasked view of a held message; every opening is audited before anything is shown.</summary>
public sealed partial class OriginalModel : ConsolePageModel
{
    private readonly IQuarantineStore _store;
    private readonly PolicyOptions _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public OriginalModel(IQuarantineStore store, PolicyOptions policy, TimeProvider time, ILogger<OriginalModel> logger)
    {
        _store = store;
        _policy = policy;
        _time = time;
        _logger = logger;
    }

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public MessageView? View { get; private set; }

    public IReadOnlyList<string> Recipients { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var record = MessageIds.IsValid(Id) ? await _store.GetQuarantineAsync(Id, HttpContext.RequestAborted) : null;
        if (record is null)
        {
            return NotFound();
        }

        await _store.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), Actor, "original-opened", Id, null, "unmasked view"), HttpContext.RequestAborted);
        LogOpened(_logger, Id, Actor);
        Recipients = record.Recipients;
        await using var content = await _store.OpenContentAsync(Id, HttpContext.RequestAborted);
        if (content is not null)
        {
            View = MessageView.Build(content, masked: false, new DomainSet(_policy.InternalDomains), DateOnly.FromDateTime(record.HeldAt.UtcDateTime), HttpContext.RequestAborted);
        }

        return Page();
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.OriginalOpened, Level = LogLevel.Information, Message = "Unmasked original of {MessageId} opened by {Actor}")]
    private static partial void LogOpened(ILogger logger, string messageId, string actor);
}

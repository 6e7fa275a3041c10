using MailGuard.Inspection;
using MailGuard.Mime;

namespace MailGuard.Core.Policy;

/// <summary>
/// What one message comes to under the policy: the parse, the verdict, the findings, who can see
/// whom and how many people the content is about. Owns the parse (<see cref="Document"/>), which a
/// caller that rewrites the message needs; dispose it when done.
/// </summary>
/// <param name="Document">The parse; null when the message could not be read at all.</param>
/// <param name="Inspection">What inspection learned; null when it failed.</param>
/// <param name="Failure">The exception behind a failed evaluation (a bug in parsing or inspection), for the caller to log once; the verdict is then the fail-closed one.</param>
public sealed record MessageEvaluation(
    MimeDocument? Document,
    MessageEnvelope Envelope,
    Verdict Verdict,
    IReadOnlyList<Finding> Findings,
    InspectionResult? Inspection,
    Exception? Failure) : IDisposable
{
    public RecipientExposure? Exposure => Inspection?.Exposure;

    /// <summary>People in the largest personal-data table or text (what MinPeople compares).</summary>
    public long MaxPeople => Inspection?.MaxPeople ?? 0;

    public void Dispose() => Document?.Dispose();
}

/// <summary>
/// The one road from a message's bytes to a verdict: parse with <see cref="MimeDocument"/>, inspect
/// with <see cref="MessageInspector"/>, decide with <see cref="PolicyEngine"/>. The relay's
/// disposition, `mailguard scan` and the check API all come this way, so none of them can reach a
/// verdict the others would not. It stores and sends nothing; what to do with the verdict is the
/// caller's.
/// </summary>
/// <remarks>
/// Inspection fails closed: an exception while parsing or inspecting (a bug: expected trouble such
/// as a limit is a finding) becomes <see cref="PolicyEngine.InspectionFailed"/>'s verdict with an
/// unscannable finding, and the exception is handed back for the caller to log. Cancellation is
/// not a failure and propagates.
/// </remarks>
public sealed class MessageEvaluator
{
    public const string FailureReason = "inspection failed";

    private readonly MessageInspector _inspector;

    /// <param name="inspection">Inspection limits and readers (the OCR engine); defaults when null.</param>
    public MessageEvaluator(PolicyOptions policy, InspectionOptions? inspection, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Options = policy;
        Policy = new PolicyEngine(policy);
        _inspector = new MessageInspector(inspection ?? new InspectionOptions(), Policy.InternalDomains, Policy.PersonalMailboxDomains, time);
    }

    public PolicyOptions Options { get; }

    public PolicyEngine Policy { get; }

    /// <summary>Parses, inspects and decides; the stream <paramref name="openContent"/> gives belongs to the evaluation from then on.</summary>
    /// <param name="envelope">
    /// The SMTP envelope the relay was given; null for a file or a draft without one, which is
    /// judged by its own header fields: the first From as the sender, To, Cc and Bcc as the
    /// recipients (Bcc counted as hidden), as `mailguard scan` does.
    /// </param>
    public MessageEvaluation Evaluate(Func<Stream> openContent, MessageEnvelope? envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(openContent);
        MimeDocument? document = null;
        var judged = envelope ?? new MessageEnvelope("", []);
        try
        {
            document = MimeDocument.Load(openContent());
            if (envelope is null)
            {
                var message = document.Message;
                judged = new MessageEnvelope(
                    message.From.FirstOrDefault()?.Address ?? "",
                    message.To.Concat(message.Cc).Concat(message.Bcc).Select(a => a.Address).ToList());
            }

            var result = _inspector.Inspect(document, envelope, cancellationToken);
            var verdict = Policy.Decide(result, judged.MailFrom, judged.RcptTo);
            return new MessageEvaluation(document, judged, verdict, result.Findings, result, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            document?.Dispose();
            return Failed(judged, ex);
        }
    }

    /// <summary>The fail-closed evaluation: Policy:OnInspectionFailure, with an unscannable finding.</summary>
    public MessageEvaluation Failed(MessageEnvelope envelope, Exception? failure) =>
        new(null, envelope, Policy.InspectionFailed(FailureReason), [UnscannableFinding], null, failure);

    public static Finding UnscannableFinding { get; } = new(FindingKinds.Unscannable, 1, Confidence.High, new ContentLocation("/"), [], FailureReason);
}

using System.Text;
using MailGuard.Core.Policy;
using MailGuard.Inspection;
using MailGuard.Mime;

namespace MailGuard.Core.Tests.Policy;

/// <summary>MessageEvaluator, the one road from bytes to verdict, and the add-in's override field as the relay reads it.</summary>
public sealed class MessageEvaluatorTests
{
    private static PolicyOptions Options() => new()
    {
        InternalDomains = ["corp.example"],
        Rules =
        [
            new PolicyRule { Name = "exposure", Priority = 10, When = new RuleConditions { MinVisibleExternal = 3 }, Action = PolicyAction.Hold, AllowOverride = true },
            new PolicyRule { Name = "people", Priority = 20, When = new RuleConditions { FindingKinds = ["personal-data"], MinPeople = 5 }, Action = PolicyAction.Hold },
        ],
    };

    private static Func<Stream> Bytes(string message) => () => new MemoryStream(Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n")));

    [Fact]
    public void Evaluate_WithoutEnvelope_JudgesByHeaders_BccHidden()
    {
        var evaluator = new MessageEvaluator(Options(), null, TimeProvider.System);
        using var evaluation = evaluator.Evaluate(Bytes("From: a@corp.example\nTo: x@p1.example, y@p2.example, z@p3.example\nBcc: w@p4.example\nSubject: s\n\nHello\n"), envelope: null, CancellationToken.None);

        Assert.Null(evaluation.Failure);
        Assert.Equal("a@corp.example", evaluation.Envelope.MailFrom);
        Assert.Equal(["x@p1.example", "y@p2.example", "z@p3.example", "w@p4.example"], evaluation.Envelope.RcptTo);
        Assert.Equal(PolicyAction.Hold, evaluation.Verdict.Action);
        Assert.Equal("exposure", evaluation.Verdict.Rule);
        Assert.Equal(1, evaluation.Exposure!.Hidden);
        Assert.NotNull(evaluation.Document);
    }

    [Fact]
    public void Evaluate_OpeningFails_FailsClosedWithTheException()
    {
        var evaluator = new MessageEvaluator(Options(), null, TimeProvider.System);
        using var evaluation = evaluator.Evaluate(() => throw new IOException("gone"), new MessageEnvelope("a@corp.example", ["x@p1.example"]), CancellationToken.None);

        Assert.IsType<IOException>(evaluation.Failure);
        Assert.Equal(PolicyAction.Hold, evaluation.Verdict.Action);
        Assert.Equal("inspection-failure", evaluation.Verdict.Rule);
        Assert.Equal(FindingKinds.Unscannable, Assert.Single(evaluation.Findings).Kind);
        Assert.Null(evaluation.Document);
    }

    [Fact]
    public void Evaluate_Cancelled_Propagates()
    {
        var evaluator = new MessageEvaluator(Options(), null, TimeProvider.System);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => evaluator.Evaluate(Bytes("From: a@corp.example\nTo: x@p1.example\nSubject: s\n\nHello\n"), null, cancelled.Token).Dispose());
    }

    [Theory]
    [InlineData("exposure", "exposure")]
    [InlineData("Exposure, people", "exposure,people")]
    [InlineData("nonsense; exposure; <script>", "exposure")]
    [InlineData("nonsense", null)]
    [InlineData("", null)]
    public void SenderOverride_Read_OnlyConfiguredRuleNames(string field, string? expected)
    {
        using var document = MimeDocument.Load(Encoding.ASCII.GetBytes($"From: a@corp.example\r\n{SenderOverride.HeaderName}: {field}\r\n\r\nbody\r\n"));

        Assert.Equal(expected, SenderOverride.Read(document.Message.Headers, Options()));
    }
}

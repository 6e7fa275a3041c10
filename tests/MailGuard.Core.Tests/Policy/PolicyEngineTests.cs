using MailGuard.Core.Policy;
using MailGuard.Inspection;

namespace MailGuard.Core.Tests.Policy;

public sealed class PolicyEngineTests
{
    private static readonly ContentLocation s_loc = new("/2", "people.csv");

    private static PolicyOptions Options(bool auditOnly = false) => new()
    {
        InternalDomains = ["corp.example"],
        AuditOnly = auditOnly,
        Rules =
        [
            new PolicyRule { Name = "exposure", Priority = 10, When = new RuleConditions { MinVisibleExternal = 10 }, Action = PolicyAction.RewriteBcc, Except = new RuleExceptions { Senders = ["newsletter@corp.example"] } },
            new PolicyRule { Name = "people", Priority = 20, When = new RuleConditions { FindingKinds = ["personal-data"], MinPeople = 5, AnyExternalRecipient = true }, Action = PolicyAction.Hold, NotifySecurityTeam = true },
            new PolicyRule { Name = "ninos", Priority = 30, When = new RuleConditions { FindingKinds = ["uk-nino"], MinCount = 5, MinConfidence = Confidence.Medium }, Action = PolicyAction.Return },
        ],
    };

    private static PolicyInput Input(int visibleExternal = 0, bool external = true, long people = 0, string sender = "a@corp.example", params Finding[] findings) =>
        new(sender, external ? ["x@ext.example"] : ["y@corp.example"],
            new RecipientExposure(visibleExternal, 0, visibleExternal, 0, 0, external ? Math.Max(1, visibleExternal) : 0, []),
            findings, people, []);

    [Fact]
    public void Decide_NothingMatches_Delivers()
    {
        var v = new PolicyEngine(Options()).Decide(Input());
        Assert.Equal(PolicyAction.Deliver, v.Action);
        Assert.False(v.Flagged);
    }

    [Fact]
    public void Decide_ExposureAtThreshold_Matches_OneBelow_DoesNot()
    {
        var engine = new PolicyEngine(Options());
        Assert.Equal(PolicyAction.RewriteBcc, engine.Decide(Input(visibleExternal: 10)).Action);
        Assert.Equal(PolicyAction.Deliver, engine.Decide(Input(visibleExternal: 9)).Action);
    }

    [Fact]
    public void Decide_ExceptedSender_IsNotMatched() =>
        Assert.Equal(PolicyAction.Deliver, new PolicyEngine(Options()).Decide(Input(visibleExternal: 50, sender: "newsletter@corp.example")).Action);

    [Fact]
    public void Decide_FirstRuleByPriorityWins_AllMatchesListed()
    {
        var pd = new Finding(FindingKinds.PersonalData, 1598, Confidence.High, s_loc, []);
        var v = new PolicyEngine(Options()).Decide(Input(visibleExternal: 12, people: 1598, findings: pd));
        Assert.Equal("exposure", v.Rule);
        Assert.Equal(["exposure", "people"], v.MatchedRules.Select(m => m.Name));
    }

    [Fact]
    public void Decide_PersonalDataToInternalOnly_IsNotMatched()
    {
        var pd = new Finding(FindingKinds.PersonalData, 20, Confidence.High, s_loc, []);
        Assert.Equal(PolicyAction.Deliver, new PolicyEngine(Options()).Decide(Input(external: false, people: 20, findings: pd)).Action);
    }

    [Fact]
    public void Decide_CountAndConfidenceThresholds()
    {
        var engine = new PolicyEngine(Options());
        var low = new Finding(FindingKinds.UkNino, 10, Confidence.Low, s_loc, []);
        var medium = new Finding(FindingKinds.UkNino, 5, Confidence.Medium, s_loc, []);
        var few = new Finding(FindingKinds.UkNino, 4, Confidence.High, s_loc, []);
        Assert.Equal(PolicyAction.Deliver, engine.Decide(Input(findings: low)).Action);
        Assert.Equal(PolicyAction.Return, engine.Decide(Input(findings: medium)).Action);
        Assert.Equal(PolicyAction.Deliver, engine.Decide(Input(findings: few)).Action);
    }

    [Fact]
    public void Decide_AuditOnly_DeliversWithTagAndRecordsWouldHave()
    {
        var v = new PolicyEngine(Options(auditOnly: true)).Decide(Input(visibleExternal: 30));
        Assert.Equal(PolicyAction.Tag, v.Action);
        Assert.Equal(PolicyAction.RewriteBcc, v.WouldHaveAction);
        Assert.True(v.AuditOnly);
        Assert.False(v.NotifySender);
    }

    [Fact]
    public void InspectionFailed_FailsClosedByDefault() =>
        Assert.Equal(PolicyAction.Hold, new PolicyEngine(new PolicyOptions()).InspectionFailed("timeout").Action);

    [Fact]
    public void Validate_ReportsEveryProblemAtOnce()
    {
        var options = new PolicyOptions
        {
            Rules = [new PolicyRule { Name = "" }, new PolicyRule { Name = "a", When = new RuleConditions { MinHidden = 1 } }, new PolicyRule { Name = "A", When = new RuleConditions { MinHidden = 1 } }],
        };
        var problems = options.Validate();
        Assert.Equal(3, problems.Count);
    }

    // The README's exception: encrypted archives to a named partner pass; anything else unreadable,
    // or the same archive to anyone else as well, is held by the rule after it.
    private static PolicyEngine PartnerException() => new(new PolicyOptions
    {
        InternalDomains = ["corp.example"],
        Rules =
        [
            new PolicyRule { Name = "encrypted-to-partners", Priority = 85, When = new RuleConditions { UnscannableReasons = ["Encrypted", "PasswordProtected"], AllRecipientDomains = ["partner.example"] }, Action = PolicyAction.Tag },
            new PolicyRule { Name = "unscannable-external", Priority = 90, When = new RuleConditions { FindingKinds = [FindingKinds.Unscannable], AnyExternalRecipient = true }, Action = PolicyAction.Hold },
        ],
    });

    private static Finding Unreadable(UnscannableReason reason) => new(FindingKinds.Unscannable, 1, Confidence.High, s_loc, [], reason + ": ...", reason.ToString());

    private static PolicyInput To(string[] recipients, params Finding[] findings) =>
        new("a@corp.example", recipients, new RecipientExposure(0, 0, 0, 0, 0, recipients.Length, []), findings, 0, []);

    [Fact]
    public void Decide_EncryptedArchiveToPartnerOnly_TaggedNotHeld() =>
        Assert.Equal("encrypted-to-partners", PartnerException().Decide(To(["x@partner.example", "y@sub.partner.example"], Unreadable(UnscannableReason.PasswordProtected))).Rule);

    [Fact]
    public void Decide_EncryptedArchiveToPartnerAndOthers_Held() =>
        Assert.Equal(PolicyAction.Hold, PartnerException().Decide(To(["x@partner.example", "z@elsewhere.example"], Unreadable(UnscannableReason.Encrypted))).Action);

    [Fact]
    public void Decide_LimitHitToPartner_Held() =>
        Assert.Equal(PolicyAction.Hold, PartnerException().Decide(To(["x@partner.example"], Unreadable(UnscannableReason.PasswordProtected), Unreadable(UnscannableReason.NestingTooDeep))).Action);

    [Fact]
    public void Validate_UnknownUnscannableReason_IsAProblem()
    {
        var options = new PolicyOptions { Rules = [new PolicyRule { Name = "r", When = new RuleConditions { UnscannableReasons = ["Encryptd"] } }] };
        Assert.Contains(options.Validate(), p => p.Contains("UnscannableReasons", StringComparison.Ordinal) && p.Contains("Encryptd", StringComparison.Ordinal));
    }
}

using MailGuard.Core.Notices;
using MailGuard.Inspection;

namespace MailGuard.Core.Tests.Notices;

public sealed class VerifiedSenderTests
{
    private static readonly DomainSet Internal = new(["corp.example"]);

    [Theory]
    [InlineData("clerk@corp.example", null, true)]
    [InlineData("clerk@HR.Corp.Example", null, true)]
    [InlineData("clerk@corp.example", "someone-else", true)]
    [InlineData("contractor@partner.example", "contractor@partner.example", true)]
    [InlineData("Contractor@Partner.Example", "contractor@partner.example", true)]
    [InlineData("ceo@victim.example", null, false)]
    [InlineData("ceo@victim.example", "alice", false)]
    [InlineData("ceo@victim.example", "alice@corp.example", false)]
    [InlineData("clerk@corp.example.evil.example", null, false)]
    [InlineData("clerk@notcorp.example", null, false)]
    [InlineData("", null, false)]
    [InlineData("", "alice", false)]
    [InlineData("corp.example", null, false)]
    [InlineData("clerk@", null, false)]
    public void IsVerified_InternalOrAuthenticatedAsItself(string sender, string? authenticatedUser, bool expected)
    {
        Assert.Equal(expected, VerifiedSender.IsVerified(sender, authenticatedUser, Internal));
    }

    [Fact]
    public void IsVerified_NoInternalDomains_OnlyTheAuthenticatedAddress()
    {
        var none = new DomainSet([]);

        Assert.False(VerifiedSender.IsVerified("clerk@corp.example", null, none));
        Assert.True(VerifiedSender.IsVerified("clerk@corp.example", "clerk@corp.example", none));
    }
}

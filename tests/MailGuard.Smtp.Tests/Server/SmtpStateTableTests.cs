using MailGuard.Smtp.Server;

namespace MailGuard.Smtp.Tests.Server;

public sealed class SmtpStateTableTests
{
    [Theory]
    [InlineData(SmtpState.Connected, SmtpVerb.Mail, false, SmtpState.Connected)]
    [InlineData(SmtpState.Connected, SmtpVerb.StartTls, false, SmtpState.Connected)]
    [InlineData(SmtpState.Connected, SmtpVerb.Ehlo, true, SmtpState.Ready)]
    [InlineData(SmtpState.Ready, SmtpVerb.Mail, true, SmtpState.Mail)]
    [InlineData(SmtpState.Ready, SmtpVerb.Rcpt, false, SmtpState.Ready)]
    [InlineData(SmtpState.Ready, SmtpVerb.StartTls, true, SmtpState.Connected)]
    [InlineData(SmtpState.Mail, SmtpVerb.Mail, false, SmtpState.Mail)]
    [InlineData(SmtpState.Mail, SmtpVerb.Data, false, SmtpState.Mail)]
    [InlineData(SmtpState.Mail, SmtpVerb.Auth, false, SmtpState.Mail)]
    [InlineData(SmtpState.Mail, SmtpVerb.Rcpt, true, SmtpState.Rcpt)]
    [InlineData(SmtpState.Rcpt, SmtpVerb.Data, true, SmtpState.Ready)]
    [InlineData(SmtpState.Rcpt, SmtpVerb.Bdat, true, SmtpState.Bdat)]
    [InlineData(SmtpState.Rcpt, SmtpVerb.Ehlo, true, SmtpState.Ready)]
    [InlineData(SmtpState.Bdat, SmtpVerb.Data, false, SmtpState.Bdat)]
    [InlineData(SmtpState.Bdat, SmtpVerb.Rcpt, false, SmtpState.Bdat)]
    [InlineData(SmtpState.Bdat, SmtpVerb.Rset, true, SmtpState.Ready)]
    [InlineData(SmtpState.Bdat, SmtpVerb.Noop, true, SmtpState.Bdat)]
    internal void TryGetTransition_Row_MatchesRfcOrdering(SmtpState from, SmtpVerb verb, bool allowed, SmtpState expectedNext)
    {
        var ok = SmtpStateTable.TryGetTransition(from, verb, out var next);

        Assert.Equal(allowed, ok);
        if (allowed)
        {
            Assert.Equal(expectedNext, next);
        }
    }

    [Fact]
    public void TryGetTransition_QuitAndNoop_AllowedEverywhere()
    {
        foreach (var state in Enum.GetValues<SmtpState>())
        {
            Assert.True(SmtpStateTable.TryGetTransition(state, SmtpVerb.Quit, out _));
            Assert.True(SmtpStateTable.TryGetTransition(state, SmtpVerb.Noop, out var next));
            Assert.Equal(state, next);
        }
    }
}

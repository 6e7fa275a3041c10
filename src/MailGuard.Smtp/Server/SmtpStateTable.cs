namespace MailGuard.Smtp.Server;

/// <summary>Commands the server recognizes. Anything else is <see cref="Unknown"/> (502).</summary>
internal enum SmtpVerb
{
    Unknown,
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Help,
    StartTls,
    Auth,
}

/// <summary>Where a session is in RFC 5321 §4.1.4's command order.</summary>
internal enum SmtpState
{
    /// <summary>Greeting sent; HELO/EHLO required (also after STARTTLS, RFC 3207 §4.2).</summary>
    Connected,

    /// <summary>Greeted, no transaction.</summary>
    Ready,

    /// <summary>MAIL accepted, no recipient yet.</summary>
    Mail,

    /// <summary>At least one RCPT accepted.</summary>
    Rcpt,

    /// <summary>Inside a BDAT sequence (a chunk without LAST was received, RFC 3030 §2).</summary>
    Bdat,
}

/// <summary>
/// The whole command-sequencing policy in one table: for each state, which commands are allowed
/// and the state after a positive reply. A command missing from a state's row gets 503 5.5.1
/// (RFC 5321 §4.1.4 "bad sequence of commands"). On a negative reply the state stays unchanged,
/// except where the handler resets the transaction (end of DATA, BDAT errors), which the session
/// does explicitly. Guards that depend on session facts (TLS, AUTH) live in the handlers.
/// </summary>
internal static class SmtpStateTable
{
    /// <summary>Commands valid in every state, which never change it (RFC 5321 §4.1.4: NOOP, HELP, VRFY, RSET anywhere).</summary>
    private static readonly SmtpVerb[] s_anywhere = [SmtpVerb.Noop, SmtpVerb.Help, SmtpVerb.Vrfy, SmtpVerb.Quit];

    private static readonly Dictionary<(SmtpState, SmtpVerb), SmtpState> s_table = Build(
        // RSET and HELO/EHLO abort any transaction (RFC 5321 §4.1.1.1, §4.1.1.5).
        // STARTTLS and AUTH only outside a transaction (RFC 3207 §4, RFC 4954 §4).
        // MAIL inside a transaction is a nested MAIL: 503 (RFC 5321 §4.1.1.2).
        // DATA/BDAT need a recipient (RFC 5321 §4.1.1.4; RFC 2920 §3.1 allows 554 when none was valid).
        // After BDAT without LAST only BDAT and RSET continue (RFC 3030 §2, §4.1).
        (SmtpState.Connected, SmtpVerb.Helo, SmtpState.Ready),
        (SmtpState.Connected, SmtpVerb.Ehlo, SmtpState.Ready),
        (SmtpState.Connected, SmtpVerb.Rset, SmtpState.Connected),

        (SmtpState.Ready, SmtpVerb.Helo, SmtpState.Ready),
        (SmtpState.Ready, SmtpVerb.Ehlo, SmtpState.Ready),
        (SmtpState.Ready, SmtpVerb.Rset, SmtpState.Ready),
        (SmtpState.Ready, SmtpVerb.StartTls, SmtpState.Connected),
        (SmtpState.Ready, SmtpVerb.Auth, SmtpState.Ready),
        (SmtpState.Ready, SmtpVerb.Mail, SmtpState.Mail),

        (SmtpState.Mail, SmtpVerb.Helo, SmtpState.Ready),
        (SmtpState.Mail, SmtpVerb.Ehlo, SmtpState.Ready),
        (SmtpState.Mail, SmtpVerb.Rset, SmtpState.Ready),
        (SmtpState.Mail, SmtpVerb.Rcpt, SmtpState.Rcpt),

        (SmtpState.Rcpt, SmtpVerb.Helo, SmtpState.Ready),
        (SmtpState.Rcpt, SmtpVerb.Ehlo, SmtpState.Ready),
        (SmtpState.Rcpt, SmtpVerb.Rset, SmtpState.Ready),
        (SmtpState.Rcpt, SmtpVerb.Rcpt, SmtpState.Rcpt),
        (SmtpState.Rcpt, SmtpVerb.Data, SmtpState.Ready),
        (SmtpState.Rcpt, SmtpVerb.Bdat, SmtpState.Bdat),

        (SmtpState.Bdat, SmtpVerb.Rset, SmtpState.Ready),
        (SmtpState.Bdat, SmtpVerb.Bdat, SmtpState.Bdat));

    /// <summary>True when <paramref name="verb"/> may be issued in <paramref name="state"/>; <paramref name="next"/> is the state after a positive reply.</summary>
    public static bool TryGetTransition(SmtpState state, SmtpVerb verb, out SmtpState next)
    {
        if (Array.IndexOf(s_anywhere, verb) >= 0)
        {
            next = state;
            return true;
        }

        return s_table.TryGetValue((state, verb), out next);
    }

    /// <summary>True in states where a transaction is open; graceful shutdown lets these finish.</summary>
    public static bool IsInTransaction(SmtpState state) => state is SmtpState.Mail or SmtpState.Rcpt or SmtpState.Bdat;

    private static Dictionary<(SmtpState, SmtpVerb), SmtpState> Build(params (SmtpState From, SmtpVerb Verb, SmtpState To)[] rows)
    {
        var table = new Dictionary<(SmtpState, SmtpVerb), SmtpState>();
        foreach (var (from, verb, to) in rows)
        {
            table.Add((from, verb), to);
        }

        return table;
    }
}

/// <summary>
/// The tiny engine over <see cref="SmtpStateTable"/>: <see cref="TryBegin"/> checks a command against
/// the current state, <see cref="Commit"/> applies the table's next state after a positive reply.
/// </summary>
internal sealed class SmtpStateTableEngine
{
    private SmtpState _pending;

    public SmtpState State { get; private set; } = SmtpState.Connected;

    public bool TryBegin(SmtpVerb verb) => SmtpStateTable.TryGetTransition(State, verb, out _pending);

    public void Commit() => State = _pending;

    /// <summary>For transitions the table cannot express: end of DATA, failed BDAT, STARTTLS.</summary>
    public void Reset(SmtpState state) => State = state;
}

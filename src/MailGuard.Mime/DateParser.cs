using System.Globalization;

namespace MailGuard.Mime;

/// <summary>
/// RFC 5322 §3.3 date-time with the obsolete forms of §4.3: optional day name, comments
/// anywhere (they are CFWS), two-digit years, alphabetic zones, missing seconds, and the
/// RFC 850 "20-Sep-95" form.
/// </summary>
public static class DateParser
{
    private static readonly string[] s_months =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static readonly string[] s_longMonths =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    private static readonly string[] s_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// <summary>
    /// Parses a Date field value. Returns false when no instant can be made of it. A zone of
    /// -0000 or an unknown alphabetic zone gives offset zero with <paramref name="zoneKnown"/> false.
    /// </summary>
    public static bool TryParseDateTime(string value, out DateTimeOffset result, out bool zoneKnown)
    {
        result = default;
        zoneKnown = false;
        ArgumentNullException.ThrowIfNull(value);
        var tokens = Tokenize(ParameterList.StripComments(value));
        if (tokens.Count == 0)
        {
            return false;
        }

        // [ day-of-week "," ]
        if (tokens[0].EndsWith(',') || IsDayName(tokens[0]))
        {
            tokens.RemoveAt(0);
        }
        else if (tokens[0].LastIndexOf(',') is int comma and >= 0)
        {
            tokens[0] = tokens[0][(comma + 1)..];
        }

        // RFC 850: "20-Sep-95 00:19:00 GMT"
        if (tokens.Count == 3 && tokens[0].Split('-') is { Length: 3 } rfc850)
        {
            tokens = [.. rfc850, .. tokens.Skip(1)];
        }

        if (tokens.Count == 4)
        {
            // Zone glued to the time: "00:19:00-0400".
            string t = tokens[3];
            int sign = t.IndexOfAny(['+', '-'], 1);
            if (sign > 0)
            {
                tokens[3] = t[..sign];
                tokens.Insert(4, t[sign..]);
            }
            else
            {
                tokens.Add(string.Empty);
            }
        }

        if (tokens.Count < 5)
        {
            return false;
        }

        string dd = tokens[0].TrimEnd(','), mm = tokens[1], yy = tokens[2], tm = tokens[3], tz = tokens[4];
        int month = MonthIndex(mm);
        if (month < 0)
        {
            (dd, mm) = (mm, dd);
            month = MonthIndex(mm);
            dd = dd.TrimEnd(',');
            if (month < 0)
            {
                return false;
            }
        }

        if (yy.Contains(':'))
        {
            (yy, tm) = (tm, yy);
        }

        yy = yy.TrimEnd(',');
        if (yy.Length == 0)
        {
            return false;
        }

        if (!char.IsAsciiDigit(yy[0]))
        {
            (yy, tz) = (tz, yy);
        }

        tm = tm.TrimEnd(',');
        string[] hms = tm.Split(':');
        if (hms.Length == 1 && tm.Contains('.'))
        {
            hms = tm.Split('.');
        }

        if (hms.Length is < 2 or > 3)
        {
            return false;
        }

        if (!Int(yy, out int year) || !Int(dd, out int day) || !Int(hms[0], out int hour) || !Int(hms[1], out int minute))
        {
            return false;
        }

        int second = 0;
        if (hms.Length == 3 && !Int(hms[2], out second))
        {
            return false;
        }

        // RFC 5322 §4.3 would map 00-49 to 20xx; the common practice (POSIX, Python) is 00-68.
        if (year < 100)
        {
            year += year > 68 ? 1900 : 2000;
        }

        TimeSpan offset = TimeSpan.Zero;
        string zone = tz.ToUpperInvariant();
        switch (zone)
        {
            case "UT" or "UTC" or "GMT" or "Z":
                zoneKnown = true;
                break;
            case "AST": offset = TimeSpan.FromHours(-4); zoneKnown = true; break;
            case "ADT": offset = TimeSpan.FromHours(-3); zoneKnown = true; break;
            case "EST": offset = TimeSpan.FromHours(-5); zoneKnown = true; break;
            case "EDT": offset = TimeSpan.FromHours(-4); zoneKnown = true; break;
            case "CST": offset = TimeSpan.FromHours(-6); zoneKnown = true; break;
            case "CDT": offset = TimeSpan.FromHours(-5); zoneKnown = true; break;
            case "MST": offset = TimeSpan.FromHours(-7); zoneKnown = true; break;
            case "MDT": offset = TimeSpan.FromHours(-6); zoneKnown = true; break;
            case "PST": offset = TimeSpan.FromHours(-8); zoneKnown = true; break;
            case "PDT": offset = TimeSpan.FromHours(-7); zoneKnown = true; break;
            default:
                if (int.TryParse(zone, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int numeric))
                {
                    // -0000 means "no information" (RFC 5322 §3.3); other zones are hhmm.
                    zoneKnown = !(numeric == 0 && zone.StartsWith('-'));
                    int abs = Math.Abs(numeric);
                    var span = new TimeSpan(abs / 100, abs % 100, 0);
                    offset = numeric < 0 ? -span : span;
                }

                break;
        }

        if (offset.Duration() >= TimeSpan.FromHours(24))
        {
            return false;
        }

        try
        {
            if (month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 61)
            {
                return false;
            }

            // Leap seconds (RFC 5322 allows 60) are folded into the next minute's start.
            var dt = new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Unspecified);
            result = new DateTimeOffset(dt, offset);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static List<string> Tokenize(string value)
    {
        var list = new List<string>();
        foreach (var t in value.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            list.Add(t);
        }

        return list;
    }

    private static bool IsDayName(string token) => Array.IndexOf(s_days, token.ToLowerInvariant()) >= 0;

    private static int MonthIndex(string token)
    {
        string t = token.ToLowerInvariant();
        int i = Array.IndexOf(s_months, t);
        if (i < 0)
        {
            i = Array.IndexOf(s_longMonths, t);
        }

        return i < 0 ? -1 : i + 1;
    }

    private static bool Int(string s, out int value) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && s.Length <= 9;
}

/// <summary>Message-ID, In-Reply-To and References (RFC 5322 §3.6.4).</summary>
public static class MessageIdParser
{
    /// <summary>
    /// The msg-id without angle brackets: the text between the first "&lt;" and the next "&gt;"
    /// with white space (from folding) removed; the trimmed value when there are no brackets.
    /// </summary>
    public static string? ParseMessageId(string? value)
    {
        if (value is null)
        {
            return null;
        }

        string v = value.Trim();
        int lt = v.IndexOf('<');
        while (lt >= 0)
        {
            int gt = v.IndexOfAny(['<', '>'], lt + 1);
            if (gt < 0)
            {
                break;
            }

            if (v[gt] == '<')
            {
                lt = gt;
                continue;
            }

            var inner = v.AsSpan(lt + 1, gt - lt - 1);
            var sb = new System.Text.StringBuilder(inner.Length);
            foreach (char c in inner)
            {
                if (!char.IsWhiteSpace(c))
                {
                    sb.Append(c);
                }
            }

            return sb.ToString();
        }

        return v.Length == 0 ? null : v;
    }
}

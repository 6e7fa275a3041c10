using System.Text;

namespace MailGuard.Host.Tests.Mime;

/// <summary>
/// Builds varied, mostly well-formed messages from a seed: nested multiparts, encapsulated
/// messages, every transfer encoding, RFC 2047/2231 names, groups, comments, mixed line
/// endings, unclosed multiparts. Used to compare the parser with an independent one on mail
/// that nobody on the team hand-picked.
/// </summary>
internal sealed class RandomMessageGenerator
{
    private static readonly string[] s_names = ["Alice Example", "Bob O'Neil", "Zoë Ångström", "Renée Müller", "李雷", "Smith, John", "A. N. Other"];
    private static readonly string[] s_locals = ["alice", "bob.smith", "first.last+tag", "x_y", "o'neil", "user"];
    private static readonly string[] s_domains = ["example.com", "mail.example.org", "EXAMPLE.net", "sub.dept.example.co.uk"];
    private static readonly string[] s_charsets = ["utf-8", "iso-8859-1", "windows-1252", "us-ascii"];
    private static readonly string[] s_zones = ["+0000", "-0500", "+0130", "GMT", "EST", "PDT", "-0000", "UT"];
    private static readonly string[] s_leafTypes = ["text/plain", "text/html", "application/octet-stream", "application/pdf", "image/png", "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"];

    private readonly Random _rng;
    private string _nl = "\r\n";

    public RandomMessageGenerator(int seed) => _rng = new Random(seed);

    public byte[] Next()
    {
        _nl = _rng.Next(4) == 0 ? "\n" : "\r\n";
        var sb = new StringBuilder();
        WriteMessage(sb, depth: 0);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private void WriteMessage(StringBuilder sb, int depth)
    {
        Line(sb, "From: " + MailboxList(1 + _rng.Next(2)));
        Line(sb, "To: " + AddressList());
        if (_rng.Next(2) == 0)
        {
            Line(sb, "Cc: " + AddressList());
        }

        if (_rng.Next(5) == 0)
        {
            Line(sb, "Reply-To: " + MailboxList(1));
        }

        Line(sb, "Subject: " + Subject());
        Line(sb, "Date: " + Date());
        Line(sb, $"Message-ID: <{_rng.Next():x}.{_rng.Next():x}@{Pick(s_domains)}>");
        Line(sb, "MIME-Version: 1.0");
        WriteEntityHeadersAndBody(sb, depth, allowMultipart: true);
    }

    private void WriteEntityHeadersAndBody(StringBuilder sb, int depth, bool allowMultipart)
    {
        int choice = _rng.Next(10);
        if (allowMultipart && depth < 4 && choice < 4)
        {
            string sub = Pick(["mixed", "alternative", "related", "digest"]);
            string boundary = Boundary();
            string quoted = _rng.Next(2) == 0 ? "\"" + boundary + "\"" : boundary;
            if (boundary.Contains(' ') || boundary.Contains('=') || boundary.Contains('?'))
            {
                quoted = "\"" + boundary + "\"";
            }

            Line(sb, $"Content-Type: multipart/{sub};{Fold()}boundary={quoted}");
            Line(sb, "");
            if (_rng.Next(3) == 0)
            {
                Line(sb, "This is a multi-part message in MIME format.");
            }

            int parts = 1 + _rng.Next(4);
            for (int i = 0; i < parts; i++)
            {
                Line(sb, "--" + boundary + (_rng.Next(8) == 0 ? "  " : ""));
                if (sub == "digest" && _rng.Next(2) == 0)
                {
                    // No Content-Type: a digest child defaults to message/rfc822.
                    Line(sb, "");
                    WriteMessage(sb, depth + 1);
                }
                else
                {
                    WriteEntityHeadersAndBody(sb, depth + 1, allowMultipart: true);
                }
            }

            if (_rng.Next(10) != 0)
            {
                Line(sb, "--" + boundary + "--");
                if (_rng.Next(3) == 0)
                {
                    Line(sb, "epilogue text");
                }
            }

            return;
        }

        if (allowMultipart && depth < 4 && choice == 4)
        {
            Line(sb, "Content-Type: message/rfc822");
            if (_rng.Next(2) == 0)
            {
                Line(sb, "Content-Disposition: attachment; filename=\"fwd.eml\"");
            }

            Line(sb, "");
            WriteMessage(sb, depth + 1);
            return;
        }

        string type = Pick(s_leafTypes);
        string ct = "Content-Type: " + type;
        if (type.StartsWith("text/", StringComparison.Ordinal) && _rng.Next(3) != 0)
        {
            ct += "; charset=" + (_rng.Next(3) == 0 ? "\"" + Pick(s_charsets) + "\"" : Pick(s_charsets).ToUpperInvariant());
        }

        string? filename = _rng.Next(2) == 0 ? FileName() : null;
        if (filename is not null && _rng.Next(3) == 0)
        {
            ct += ";" + Fold() + "name=\"" + filename + "\"";
        }

        if (_rng.Next(12) != 0)
        {
            Line(sb, ct);
        }

        if (filename is not null && _rng.Next(3) != 0)
        {
            Line(sb, "Content-Disposition: " + Pick(["attachment", "inline", "Attachment"]) + ";" + Fold() + DispositionFileName(filename));
        }

        string cte = Pick(["base64", "quoted-printable", "7bit", "8bit", "none", "Base64", "x-uuencode"]);
        if (cte != "none")
        {
            Line(sb, "Content-Transfer-Encoding: " + cte + (_rng.Next(10) == 0 ? " (comment)" : ""));
        }

        Line(sb, "");
        byte[] content = Content();
        switch (cte.ToLowerInvariant())
        {
            case "base64":
                string b64 = Convert.ToBase64String(content);
                int width = Pick([76, 64, 72]);
                for (int i = 0; i < b64.Length; i += width)
                {
                    Line(sb, b64.Substring(i, Math.Min(width, b64.Length - i)));
                }

                break;
            case "quoted-printable":
                foreach (string l in QuotedPrintable(content))
                {
                    Line(sb, l);
                }

                break;
            case "x-uuencode":
                Line(sb, "begin 644 data.bin");
                for (int i = 0; i < content.Length; i += 45)
                {
                    Line(sb, UuLine(content.AsSpan(i, Math.Min(45, content.Length - i))));
                }

                Line(sb, "`");
                Line(sb, "end");
                break;
            default:
                string text = Encoding.UTF8.GetString(content);
                foreach (string l in text.Split('\n'))
                {
                    Line(sb, l.StartsWith("--", StringComparison.Ordinal) ? " " + l : l);
                }

                break;
        }

        if (_rng.Next(4) == 0)
        {
            Line(sb, "");
        }
    }

    private byte[] Content()
    {
        var sb = new StringBuilder();
        int lines = _rng.Next(0, 8);
        for (int i = 0; i < lines; i++)
        {
            sb.Append(Pick(["Hello world.", "Prix: 10 €, très bien.", "From the report:", "  indented line", "a=b; c=d", "Ünïcödé text 日本語", "trailing space   ", ""]));
            if (i < lines - 1)
            {
                sb.Append('\n');
            }
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static IEnumerable<string> QuotedPrintable(byte[] content)
    {
        var line = new StringBuilder();
        foreach (byte b in content)
        {
            if (b == (byte)'\n')
            {
                yield return line.ToString();
                line.Clear();
                continue;
            }

            string enc = b is >= 33 and <= 126 and not (byte)'=' || b == (byte)' ' ? ((char)b).ToString() : "=" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture);
            if (line.Length + enc.Length > 75)
            {
                line.Append('=');
                yield return line.ToString();
                line.Clear();
            }

            line.Append(enc);
        }

        yield return line.ToString();
    }

    private static string UuLine(ReadOnlySpan<byte> chunk)
    {
        var sb = new StringBuilder();
        sb.Append((char)(32 + chunk.Length));
        for (int i = 0; i < chunk.Length; i += 3)
        {
            int b0 = chunk[i], b1 = i + 1 < chunk.Length ? chunk[i + 1] : 0, b2 = i + 2 < chunk.Length ? chunk[i + 2] : 0;
            int[] six = [b0 >> 2, ((b0 & 3) << 4) | (b1 >> 4), ((b1 & 15) << 2) | (b2 >> 6), b2 & 63];
            foreach (int s in six)
            {
                sb.Append(s == 0 ? '`' : (char)(32 + s));
            }
        }

        return sb.ToString();
    }

    private string MailboxList(int n) => string.Join(", ", Enumerable.Range(0, n).Select(_ => Mailbox()));

    private string AddressList()
    {
        int n = _rng.Next(1, 5);
        var items = new List<string>();
        for (int i = 0; i < n; i++)
        {
            items.Add(_rng.Next(8) == 0 ? Group() : Mailbox());
        }

        return string.Join("," + (_rng.Next(3) == 0 ? _nl + "\t" : " "), items);
    }

    private string Group()
    {
        string name = Pick(["undisclosed-recipients", "Team", "Friends"]);
        int members = _rng.Next(0, 3);
        return name + ":" + string.Join(", ", Enumerable.Range(0, members).Select(_ => Mailbox())) + ";";
    }

    private string Mailbox()
    {
        string addr = Pick(s_locals) + "@" + Pick(s_domains);
        if (addr.Contains('\'') && _rng.Next(2) == 0)
        {
            addr = "\"" + addr[..addr.IndexOf('@')] + "\"" + addr[addr.IndexOf('@')..];
        }

        switch (_rng.Next(6))
        {
            case 0:
                return addr;
            case 1:
                return "<" + addr + ">";
            case 2:
                return "\"" + Pick(s_names).Replace("\"", "", StringComparison.Ordinal) + "\" <" + addr + ">";
            case 3:
                return EncodedWord(Pick(s_names)) + " <" + addr + ">";
            case 4:
                string n = Pick(["Alice Example", "Bob Jones", "Carol"]);
                return n + " <" + addr + ">";
            default:
                return "\"" + Pick(s_names) + "\"" + _nl + " <" + addr + ">";
        }
    }

    private string EncodedWord(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (_rng.Next(2) == 0)
        {
            return "=?utf-8?B?" + Convert.ToBase64String(bytes) + "?=";
        }

        var sb = new StringBuilder("=?UTF-8?Q?");
        foreach (byte b in bytes)
        {
            sb.Append(b == (byte)' ' ? "_" : char.IsAsciiLetterOrDigit((char)b) ? ((char)b).ToString() : "=" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.Append("?=").ToString();
    }

    private string Subject() => _rng.Next(4) switch
    {
        0 => "Quarterly report",
        1 => EncodedWord("Réunion à 10h") + " " + EncodedWord("— ordre du jour"),
        2 => "Re: " + EncodedWord("Prix spéciaux") + " for you",
        _ => "A long subject line that is folded" + _nl + " across two lines",
    };

    private string Date()
    {
        var d = new DateTime(1995, 1, 1).AddMinutes(_rng.Next(0, 16_000_000));
        string day = d.ToString("ddd", System.Globalization.CultureInfo.InvariantCulture);
        string date = d.ToString("d MMM yyyy HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        return (_rng.Next(3) == 0 ? "" : day + ", ") + date + " " + Pick(s_zones);
    }

    private string FileName() => Pick(["report.pdf", "data export.csv", "naïve résumé.docx", "staff_list.xlsx", "a;b.txt", "long-file-name-that-is-quite-long-indeed-and-keeps-going.zip"]);

    private string DispositionFileName(string name)
    {
        bool ascii = name.All(c => c < 128);
        if (!ascii || _rng.Next(4) == 0)
        {
            // RFC 2231 with charset and language, sometimes split into sections.
            string enc = string.Concat(Encoding.UTF8.GetBytes(name).Select(b => char.IsAsciiLetterOrDigit((char)b) || b == (byte)'.' ? ((char)b).ToString() : "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
            if (_rng.Next(2) == 0 && enc.Length > 8)
            {
                return $"filename*0*=utf-8''{enc[..6]};{Fold()}filename*1*={enc[6..]}";
            }

            return "filename*=utf-8'en'" + enc;
        }

        return "filename=\"" + name + "\"";
    }

    private string Boundary() => Pick(["----=_Part_" + _rng.Next(100000), "b1_" + _rng.Next(1000) + "_x", "=_abc_" + _rng.Next(99), "simple", "with space " + _rng.Next(9)]);

    private string Fold() => _rng.Next(2) == 0 ? " " : _nl + "\t";

    private void Line(StringBuilder sb, string text) => sb.Append(text).Append(_nl);

    private T Pick<T>(T[] items) => items[_rng.Next(items.Length)];
}

using System.Text;

namespace MailGuard.Mime;

/// <summary>The lexical rules of RFC 5322 §3.2 (atoms, quoted strings, phrases, comments and folding white space) and the cursor the grammar rules share.</summary>
public static partial class AddressParser
{
    // atom = [CFWS] 1*atext [CFWS]; atext includes UTF-8 (RFC 6532 §3.2).
    private static bool TryParseAtom(ref State s, StringBuilder sb)
    {
        s.SkipCfws();
        int start = s.Pos;
        while (!s.AtEnd && IsAtext(s.Peek))
        {
            s.Pos++;
        }

        if (s.Pos == start)
        {
            return false;
        }

        sb.Append(s.Text, start, s.Pos - start);
        return true;
    }

    // quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]
    private static bool TryParseQuotedString(ref State s, StringBuilder sb)
    {
        if (s.AtEnd || s.Peek != '"')
        {
            return false;
        }

        s.Pos++;
        while (!s.AtEnd)
        {
            char c = s.Peek;
            if (c == '"')
            {
                s.Pos++;
                return true;
            }

            if (c == '\\' && s.Pos + 1 < s.Text.Length)
            {
                s.Pos++;
                c = s.Peek;
            }

            sb.Append(c);
            s.Pos++;
        }

        // Unterminated: take what there is (a common truncation in the wild).
        return true;
    }

    // phrase = 1*word / obs-phrase (word *(word / "." / CFWS)); encoded words decoded (RFC 2047 §5(3)).
    private static bool TryParsePhrase(ref State s, out string? phrase)
    {
        phrase = null;
        var parts = new List<(string Text, bool EncodedWord, bool SpaceBefore)>();
        bool first = true;
        while (true)
        {
            int save = s.Pos;
            bool ws = s.SkipCfws();
            if (s.AtEnd)
            {
                s.Pos = save;
                break;
            }

            char c = s.Peek;
            if (c == '"')
            {
                var sb = new StringBuilder();
                TryParseQuotedString(ref s, sb);
                string text = sb.ToString();
                bool ew = text.Contains("=?", StringComparison.Ordinal);
                parts.Add((ew ? EncodedWords.DecodeUnstructured(text) : text, false, ws));
            }
            else if (c == '.' && !first)
            {
                s.Pos++;
                parts.Add((".", false, ws));
            }
            else if (IsAtext(c))
            {
                int start = s.Pos;
                while (!s.AtEnd && IsAtext(s.Peek))
                {
                    s.Pos++;
                }

                string atom = s.Text[start..s.Pos];
                if (atom.StartsWith("=?", StringComparison.Ordinal) && EncodedWords.TryParseEncodedWord(atom, 0, out int end, out string? decoded) && end == atom.Length)
                {
                    parts.Add((decoded!, true, ws));
                }
                else
                {
                    parts.Add((atom.Contains("=?", StringComparison.Ordinal) ? EncodedWords.DecodeUnstructured(atom) : atom, false, ws));
                }
            }
            else
            {
                s.Pos = save;
                break;
            }

            first = false;
        }

        if (parts.Count == 0)
        {
            return false;
        }

        var result = new StringBuilder();
        for (int i = 0; i < parts.Count; i++)
        {
            var p = parts[i];
            bool space = i > 0 && p.SpaceBefore;
            if (i > 0 && p.EncodedWord && parts[i - 1].EncodedWord)
            {
                space = false;
            }

            if (space)
            {
                result.Append(' ');
            }

            result.Append(p.Text);
        }

        phrase = result.ToString().Trim();
        return true;
    }

    private static bool IsAtext(char c) =>
        c > 127 ||
        (c > ' ' && c < 127 && c is not ('(' or ')' or '<' or '>' or '[' or ']' or ':' or ';' or '@' or '\\' or ',' or '.' or '"'));

    private ref struct State
    {
        public State(string text)
        {
            Text = text;
            Pos = 0;
        }

        public string Text;
        public int Pos;

        public readonly bool AtEnd => Pos >= Text.Length;

        public readonly char Peek => Text[Pos];

        // CFWS = (1*([FWS] comment) [FWS]) / FWS ; comments nest (RFC 5322 §3.2.2).
        public bool SkipCfws()
        {
            bool any = false;
            while (Pos < Text.Length)
            {
                char c = Text[Pos];
                if (c is ' ' or '\t' or '\r' or '\n')
                {
                    Pos++;
                    any = true;
                }
                else if (c == '(')
                {
                    SkipComment();
                    any = true;
                }
                else
                {
                    break;
                }
            }

            return any;
        }

        private void SkipComment()
        {
            int depth = 0;
            while (Pos < Text.Length)
            {
                char c = Text[Pos++];
                if (c == '\\')
                {
                    Pos++;
                }
                else if (c == '(')
                {
                    depth++;
                }
                else if (c == ')' && --depth == 0)
                {
                    return;
                }
            }
        }

        public void SkipToTopLevelComma() => SkipUntil(stopAtSemicolon: false);

        /// <summary>Up to the next top-level comma: is there a ":" before any "&lt;" or "@", and is there a "&lt;"?</summary>
        public readonly void LookAhead(out bool colonFirst, out bool hasAngle)
        {
            colonFirst = false;
            hasAngle = false;
            bool decided = false;
            bool inQuote = false;
            int depth = 0;
            for (int i = Pos; i < Text.Length; i++)
            {
                char c = Text[i];
                if (inQuote)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == '"')
                    {
                        inQuote = false;
                    }

                    continue;
                }

                if (depth > 0)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == '(')
                    {
                        depth++;
                    }
                    else if (c == ')')
                    {
                        depth--;
                    }

                    continue;
                }

                switch (c)
                {
                    case '"':
                        inQuote = true;
                        break;
                    case '(':
                        depth++;
                        break;
                    case ':':
                        if (!decided)
                        {
                            colonFirst = true;
                            decided = true;
                        }

                        break;
                    case '<':
                        hasAngle = true;
                        decided = true;
                        break;
                    case '@':
                        decided = true;
                        break;
                    case ',' when !colonFirst:
                        return;
                    case ';' when colonFirst:
                        // The end of a group: a later "<" belongs to the next address.
                        return;
                }
            }
        }

        public void SkipToGroupEnd() => SkipUntil(stopAtSemicolon: true);

        private void SkipUntil(bool stopAtSemicolon)
        {
            // Angle brackets are not tracked: in a damaged list they are often unbalanced.
            bool inQuote = false;
            while (Pos < Text.Length)
            {
                char c = Text[Pos];
                if (inQuote)
                {
                    if (c == '\\')
                    {
                        Pos++;
                    }
                    else if (c == '"')
                    {
                        inQuote = false;
                    }
                }
                else if (c == '"')
                {
                    inQuote = true;
                }
                else if (c == '(')
                {
                    SkipComment();
                    continue;
                }
                else if (c == ',' || (stopAtSemicolon && c == ';'))
                {
                    return;
                }

                Pos++;
            }
        }
    }
}

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// A vCard file (a contacts export, RFC 6350 and the 2.1 and 3.0 forms) read as the table it is:
/// one row per card, in columns named as a contacts list names them ("Mobile", "Home address",
/// "Date of birth"), so a file of 300 people's home addresses and mobiles is counted as 300
/// people as the same list in a spreadsheet would be. Lines outside any card are read as text.
/// </summary>
internal static class VCardExtractor
{
    // A card's Other column holds at most this much; more of its values go to the text.
    private const int OtherChars = 4096;

    private enum Column
    {
        Name,
        Mobile,
        HomePhone,
        WorkPhone,
        Phone,
        HomeEmail,
        WorkEmail,
        Email,
        HomeAddress,
        WorkAddress,
        Address,
        Birthday,
        Organisation,
        JobTitle,
        Notes,

        // A second phone, a nickname, a related person: scanned as text.
        Other,
    }

    private static readonly Cell[] s_header =
    [
        new("Name"), new("Mobile"), new("Home phone"), new("Work phone"), new("Phone"), new("Home email"),
        new("Work email"), new("Email"), new("Home address"), new("Work address"), new("Address"),
        new("Date of birth"), new("Organisation"), new("Job title"), new("Notes"), new("Other"),
    ];

    // Properties that are binary (a photo is kilobytes of base64) or the file's own bookkeeping.
    // Everything else, extensions (X-...) included, is read: any of them may carry a value.
    private static readonly HashSet<string> s_skipped = new(StringComparer.Ordinal)
    {
        "VERSION", "PRODID", "UID", "REV", "PHOTO", "LOGO", "SOUND", "KEY", "CLIENTPIDMAP", "X-ABUID",
    };

    public static void Extract(ExtractionContext context, TextReader reader, ContentLocation location)
    {
        var outside = new TextBlockWriter(context.Sink, location);
        var table = context.Sink.BeginTable(location);
        try
        {
            table.OnRow(0, s_header);
            var card = new string?[s_header.Length];
            string? structuredName = null;
            var inCard = false;
            long row = 1;
            foreach (var line in ContentLines.Read(context, reader))
            {
                if (!ContentLines.TryParse(line, out var name, out var types, out var value))
                {
                    // Not a property: in a card, kept with it; outside, text.
                    if (inCard)
                    {
                        Put(card, Column.Other, line, outside);
                    }
                    else
                    {
                        outside.Append(line);
                        outside.Append('\n');
                    }

                    continue;
                }

                if (name == "BEGIN" && value.Trim().Equals("VCARD", StringComparison.OrdinalIgnoreCase))
                {
                    inCard = true;
                    Array.Clear(card);
                    structuredName = null;
                }
                else if (name == "END" && value.Trim().Equals("VCARD", StringComparison.OrdinalIgnoreCase))
                {
                    Emit(context, table, card, structuredName, ref row);
                    inCard = false;
                }
                else if (!inCard)
                {
                    outside.Append(ContentLines.Unescape(line));
                    outside.Append('\n');
                }
                else if (name == "N")
                {
                    // Family; given; additional; prefixes; suffixes: the name when there is no FN.
                    var parts = ContentLines.Components(value);
                    structuredName = string.Join(' ', new[] { At(parts, 3), At(parts, 1), At(parts, 2), At(parts, 0), At(parts, 4) }.Where(p => p.Length > 0));
                }
                else if (!s_skipped.Contains(name))
                {
                    Add(card, name, types, value, outside);
                }
            }

            if (inCard)
            {
                // A card cut short is still read.
                Emit(context, table, card, structuredName, ref row);
            }
        }
        finally
        {
            table.Complete();
            outside.Flush();
        }
    }

    private static void Add(string?[] card, string name, HashSet<string> types, string value, TextBlockWriter outside)
    {
        var home = types.Contains("home");
        var work = types.Contains("work");
        switch (name)
        {
            case "FN":
                Put(card, Column.Name, ContentLines.Unescape(value), outside);
                break;
            case "TEL":
                var number = ContentLines.Unescape(value.StartsWith("tel:", StringComparison.OrdinalIgnoreCase) ? value[4..] : value);
                if (types.Contains("fax"))
                {
                    Put(card, Column.Other, number, outside);
                }
                else
                {
                    Put(card, types.Contains("cell") || types.Contains("mobile") || types.Contains("iphone") ? Column.Mobile
                        : home ? Column.HomePhone : work ? Column.WorkPhone : Column.Phone, number, outside);
                }

                break;
            case "EMAIL":
                Put(card, home ? Column.HomeEmail : work ? Column.WorkEmail : Column.Email, ContentLines.Unescape(value), outside);
                break;
            case "ADR":
                // PO box; extended; street; locality; region; postcode; country.
                var address = string.Join(", ", ContentLines.Components(value).Select(c => c.Replace('\n', ' ').Trim()).Where(c => c.Length > 0));
                Put(card, home ? Column.HomeAddress : work ? Column.WorkAddress : Column.Address, address, outside);
                break;
            case "BDAY":
                Put(card, Column.Birthday, Birthday(ContentLines.Unescape(value)), outside);
                break;
            case "ORG":
                Put(card, Column.Organisation, string.Join(", ", ContentLines.Components(value).Where(c => c.Length > 0)), outside);
                break;
            case "TITLE":
            case "ROLE":
                Put(card, Column.JobTitle, ContentLines.Unescape(value), outside);
                break;
            case "NOTE":
                Put(card, Column.Notes, ContentLines.Unescape(value), outside);
                break;
            default:
                Put(card, Column.Other, ContentLines.Unescape(value), outside);
                break;
        }
    }

    // The first value of a kind in its column; more go to Other, where they are still scanned,
    // and past OtherChars of those, to the text (a card of thousands of properties stays linear).
    private static void Put(string?[] card, Column column, string value, TextBlockWriter outside)
    {
        value = value.Trim();
        if (value.Length == 0)
        {
            return;
        }

        ref var cell = ref card[(int)(card[(int)column] is null ? column : Column.Other)];
        if (cell is not null && cell.Length + 2 + value.Length > OtherChars)
        {
            outside.Append(value);
            outside.Append('\n');
            return;
        }

        cell = cell is null ? value : cell + "; " + value;
    }

    private static void Emit(ExtractionContext context, ITableSink table, string?[] card, string? structuredName, ref long row)
    {
        if (card[(int)Column.Name] is null && !string.IsNullOrWhiteSpace(structuredName))
        {
            card[(int)Column.Name] = structuredName;
        }

        if (Array.TrueForAll(card, c => c is null))
        {
            return;
        }

        context.AddCells(card.Length);
        table.OnRow(row++, Array.ConvertAll(card, Cell.FromText));
    }

    // "19750302" and "1975-03-02T00:00:00Z" as the dates they are; "--0302" (no year) as written.
    private static string Birthday(string value)
    {
        var date = value.Trim();
        var t = date.IndexOf('T');
        if (t > 0)
        {
            date = date[..t];
        }

        return date.Length == 8 && date.All(char.IsAsciiDigit) ? $"{date[..4]}-{date[4..6]}-{date[6..]}" : date;
    }

    private static string At(List<string> parts, int i) => i < parts.Count ? parts[i].Trim() : string.Empty;
}

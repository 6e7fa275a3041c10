namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Finds the delimiter from the first lines: the candidate that splits the most lines into the
/// same number of fields (quotes respected). Prose has commas too, so without a name or type
/// saying "csv" the evidence must be strong: several lines, all alike.
/// </summary>
internal static class CsvSniffer
{
    private static readonly char[] _candidates = [',', ';', '\t', '|'];

    public static char? SniffDelimiter(string sample, bool complete, bool tableHint)
    {
        List<string> lines = SampleRecords(sample, complete, 30);
        if (lines.Count == 0)
        {
            return null;
        }

        char? best = null;
        int bestCount = 0;
        double bestConsistency = 0;
        foreach (char delimiter in _candidates)
        {
            var counts = new Dictionary<int, int>();
            foreach (string line in lines)
            {
                int c = CountOutsideQuotes(line, delimiter);
                counts[c] = counts.GetValueOrDefault(c) + 1;
            }

            (int mode, int frequency) = counts.Where(kv => kv.Key > 0).OrderByDescending(kv => kv.Value).ThenByDescending(kv => kv.Key).Select(kv => (kv.Key, kv.Value)).FirstOrDefault();
            if (mode == 0)
            {
                continue;
            }

            double consistency = (double)frequency / lines.Count;
            if (consistency > bestConsistency || (consistency == bestConsistency && mode > bestCount))
            {
                best = delimiter;
                bestCount = mode;
                bestConsistency = consistency;
            }
        }

        if (best is null)
        {
            return null;
        }

        if (tableHint)
        {
            return best;
        }

        // Without a hint: at least two lines (three for a lone comma, common in prose), and
        // (almost) every line splits the same way.
        int minLines = best == ',' && bestCount == 1 ? 5 : 2;
        double minConsistency = lines.Count < 5 ? 1.0 : 0.9;
        return lines.Count >= minLines && bestConsistency >= minConsistency ? best : null;
    }

    /// <summary>
    /// Whether nearly every comma outside quotes in the sampled records (nine in ten) is followed
    /// by a space, as a person types a list and no export writes a CSV.
    /// </summary>
    public static bool WrittenByHand(string sample, bool complete)
    {
        int commas = 0, spaced = 0;
        foreach (string line in SampleRecords(sample, complete, 30))
        {
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (c == ',' && !quoted)
                {
                    commas++;
                    if (i + 1 < line.Length && line[i + 1] == ' ')
                    {
                        spaced++;
                    }
                }
            }
        }

        return commas > 0 && spaced * 10 >= commas * 9;
    }

    /// <summary>Logical records of the sample (a quoted field may span lines); the last one only if the sample is the whole file.</summary>
    private static List<string> SampleRecords(string sample, bool complete, int max)
    {
        var records = new List<string>();
        int start = 0;
        bool quoted = false;
        for (int i = 0; i < sample.Length && records.Count < max; i++)
        {
            char c = sample[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '\n' && !quoted)
            {
                string line = sample[start..i].TrimEnd('\r');
                if (line.Length > 0)
                {
                    records.Add(line);
                }

                start = i + 1;
            }
        }

        if (complete && start < sample.Length && records.Count < max && !quoted)
        {
            string last = sample[start..].TrimEnd('\r', '\n');
            if (last.Length > 0)
            {
                records.Add(last);
            }
        }

        return records;
    }

    private static int CountOutsideQuotes(string line, char delimiter)
    {
        int count = 0;
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == delimiter && !quoted)
            {
                count++;
            }
        }

        return count;
    }
}

using System.Diagnostics;
using System.Text;
using MailGuard.Inspection;
using MailGuard.Mime;

namespace MailGuard.Bench;

/// <summary>
/// bench/second-reading: what inspecting a message costs when its parse records a defect (then
/// MimeKit reads it again and every part it decodes is compared with what was inspected), as a
/// multiple of the same message without the defect, in the same run; and how many messages of a
/// corpus take that path. CPU time of this process, best of several rounds.
/// Usage: dotnet run -c Release --project bench/MailGuard.Bench -- second-reading [CORPUS_DIR]
/// </summary>
internal static class SecondReadingBench
{
    public static int Run(ReadOnlySpan<string> args)
    {
        var inspector = new MessageInspector(new InspectionOptions(), new DomainSet(["corp.example"]), new DomainSet([]));
        foreach (var (rows, repeat) in new[] { (50, 400), (2_000, 40), (20_000, 4) })
        {
            byte[] clean = Message(rows, defect: false);
            byte[] defective = Message(rows, defect: true);
            double a = Best(() => Repeat(inspector, clean, repeat), 7) / repeat;
            double b = Best(() => Repeat(inspector, defective, repeat), 7) / repeat;
            Console.WriteLine($"{rows,6:N0}-row CSV, {clean.Length / 1024.0,8:N0} KiB: well-formed {a * 1000,8:F2} ms, with one defect {b * 1000,8:F2} ms, ratio {b / a:F2}");
        }

        string corpus = args.Length > 0 ? args[0] : Path.Combine(Root(), "..", "shared", "corpus", "mime", "messages");
        if (Directory.Exists(corpus))
        {
            var files = Directory.GetFiles(corpus, "*.eml").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
            int second = 0;
            foreach (var f in files)
            {
                second += Inspect(inspector, f).SecondReadings > 0 ? 1 : 0;
            }

            double all = Best(() =>
            {
                foreach (var f in files)
                {
                    Inspect(inspector, f);
                }
            }, 5);
            Console.WriteLine($"corpus {Path.GetFullPath(corpus)}: {files.Length} messages, {second} read a second time; all inspected in {all * 1000:F1} ms CPU");
        }

        return 0;
    }

    private static void Repeat(MessageInspector inspector, byte[] message, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Inspect(inspector, message);
        }
    }

    private static InspectionResult Inspect(MessageInspector inspector, byte[] message)
    {
        using var doc = MimeDocument.Load(message);
        return inspector.Inspect(doc, null);
    }

    // A note and a CSV of people; the defective copy has a line without a colon before its
    // Content-Type (which clients read past, and which sends the message to the second reading).
    private static byte[] Message(int rows, bool defect)
    {
        var csv = new StringBuilder("Name,Date of birth,NI number\r\n");
        for (int i = 0; i < rows; i++)
        {
            csv.Append("Person ").Append(i).Append(" Example,01/0").Append(1 + (i % 9)).Append("/19").Append(50 + (i % 49)).Append(",AB").Append((100000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("C\r\n");
        }

        string b64 = Convert.ToBase64String(Encoding.ASCII.GetBytes(csv.ToString()), Base64FormattingOptions.InsertLineBreaks);
        var sb = new StringBuilder("From: a@corp.example\r\nTo: b@partner.example\r\nSubject: list\r\nMIME-Version: 1.0\r\n");
        if (defect)
        {
            sb.Append("X-Note without a colon\r\n");
        }

        sb.Append("Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nThe list.\r\n--XX\r\n");
        sb.Append("Content-Type: text/csv; name=\"people.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\n").Append(b64).Append("\r\n--XX--\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static double Best(Action action, int rounds)
    {
        action();
        double best = double.MaxValue;
        for (int i = 0; i < rounds; i++)
        {
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            action();
            best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
        }

        return best;
    }

    private static string Root()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "MailGuard.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("MailGuard.sln not found above " + AppContext.BaseDirectory);
        }

        return dir;
    }
}

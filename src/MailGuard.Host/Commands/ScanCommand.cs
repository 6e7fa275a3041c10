using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using MailGuard.Core.Policy;
using MailGuard.Host.Configuration;
using MailGuard.Inspection;
using Spectre.Console;

namespace MailGuard.Host.Commands;

/// <summary>
/// `mailguard scan PATH... [--config FILE] [--json]`: inspects .eml files (or folders of them)
/// offline with the configured policy. Exit 0 when every file was read, 2 on unreadable input.
/// </summary>
internal static class ScanCommand
{
    private static readonly JsonWriterOptions s_jsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static int Run(IReadOnlyList<string> paths, bool json, ConfigurationArguments arguments, TextWriter stdout, TextWriter stderr)
    {
        if (!arguments.TryLoad(out var configuration, out string? configError))
        {
            stderr.WriteLine("mailguard scan: " + configError);
            return 2;
        }

        var problems = new List<string>();
        var policyOptions = PolicyBinding.Bind(configuration, problems);
        if (problems.Count > 0)
        {
            foreach (string p in problems)
            {
                stderr.WriteLine("mailguard: " + p);
            }

            return 2;
        }

        var ocrSettings = new MailGuardOptions().Inspection;
        OptionsBinder.Bind(configuration, configuration.GetSection("Inspection"), ocrSettings, problems);
        MailGuardOptionsValidator.ValidateInspection(ocrSettings, problems);
        if (problems.Count > 0)
        {
            foreach (string p in problems)
            {
                stderr.WriteLine("mailguard: " + p);
            }

            return 2;
        }

        using var ocr = new Relay.InspectionOcr(ocrSettings.Ocr);
        if (ocr.Engine is null)
        {
            stderr.WriteLine("mailguard scan: OCR is off, pictures and scanned PDF pages are not read: " + ocr.Detection.Problem);
        }

        // The relay's own road from bytes to verdict (MessageEvaluator), so scan and relay agree.
        var evaluator = new MessageEvaluator(policyOptions, ocr.CreateOptions(ocrSettings, TimeProvider.System), TimeProvider.System);
        var files = new List<string>();
        bool anyFolder = false;
        int exit = 0;
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                anyFolder = true;
                files.AddRange(Directory.EnumerateFiles(path, "*.eml", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                stderr.WriteLine($"mailguard: no such file or folder: {path}");
                exit = 2;
            }
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        void ScanAll(Action? advance)
        {
            foreach (string file in files)
            {
                if (!ScanOne(file, evaluator, json, stdout, stderr, console))
                {
                    exit = 2;
                }

                advance?.Invoke();
            }
        }

        bool interactive = !json && anyFolder && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        if (interactive)
        {
            console.Progress().Start(ctx =>
            {
                var task = ctx.AddTask("scanning", maxValue: files.Count);
                ScanAll(() => task.Increment(1));
            });
        }
        else
        {
            ScanAll(null);
        }

        return exit;
    }

    private static bool ScanOne(string file, MessageEvaluator evaluator, bool json, TextWriter stdout, TextWriter stderr, IAnsiConsole console)
    {
        var clock = Stopwatch.StartNew();
        FileStream content;
        try
        {
            content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        }
        catch (IOException ex)
        {
            stderr.WriteLine($"mailguard: cannot read {file}: {ex.Message}");
            return false;
        }
        catch (UnauthorizedAccessException ex)
        {
            stderr.WriteLine($"mailguard: cannot read {file}: {ex.Message}");
            return false;
        }

        using var evaluation = evaluator.Evaluate(() => content, envelope: null, CancellationToken.None);
        if (evaluation.Failure is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"mailguard: cannot read {file}: {evaluation.Failure.Message}");
            return false;
        }

        if (evaluation.Failure is { } failure)
        {
            stderr.WriteLine($"mailguard: inspection of {file} failed, judged as the relay would (fail closed): {failure.Message}");
        }

        double elapsedMs = clock.Elapsed.TotalMilliseconds;
        if (json)
        {
            WriteJson(stdout, file, evaluation.Verdict, evaluation.Findings, evaluator.Options, elapsedMs);
        }
        else
        {
            WriteTable(console, file, evaluation.Verdict, evaluation.Findings, evaluator.Options, elapsedMs);
        }

        return true;
    }

    /// <summary>The first matching rule that looks at this kind of finding, for the "rule" field.</summary>
    internal static string? RuleFor(Finding finding, Verdict verdict, PolicyOptions options)
    {
        foreach (var matched in verdict.MatchedRules)
        {
            var rule = options.Rules.FirstOrDefault(r => r.Name == matched.Name);
            if (rule is null)
            {
                continue;
            }

            bool kindMatch = rule.When.FindingKinds.Contains(finding.Kind, StringComparer.OrdinalIgnoreCase);
            bool exposureRule = finding.Kind == FindingKinds.ExposedRecipients &&
                (rule.When.MinVisibleExternal is not null || rule.When.MinDistinctExternalDomains is not null || rule.When.MinPersonalMailboxes is not null);
            if (kindMatch || exposureRule)
            {
                return rule.Name;
            }
        }

        return null;
    }

    private static void WriteJson(TextWriter stdout, string file, Verdict verdict, IReadOnlyList<Finding> findings, PolicyOptions options, double elapsedMs)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, s_jsonOptions))
        {
            w.WriteStartObject();
            w.WriteString("file", file);
            w.WriteBoolean("flagged", verdict.Flagged);
            w.WriteString("action", verdict.Action.Name());
            w.WriteString("rule", verdict.Rule);
            if (verdict.AuditOnly)
            {
                w.WriteString("would_have", verdict.WouldHaveAction.Name());
            }

            w.WriteStartArray("findings");
            foreach (var f in findings)
            {
                w.WriteStartObject();
                w.WriteString("rule", RuleFor(f, verdict, options));
                w.WriteString("kind", f.Kind);
                w.WriteNumber("count", f.Count);
                w.WriteString("confidence", f.Confidence.ToString().ToLowerInvariant());
                w.WriteString("location", f.Location.ToString());
                w.WriteStartArray("evidence");
                foreach (string e in f.Evidence)
                {
                    w.WriteStringValue(e);
                }

                w.WriteEndArray();
                if (f.Summary is not null)
                {
                    w.WriteString("summary", f.Summary);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("elapsed_ms", Math.Round(elapsedMs, 2));
            w.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }

    private static void WriteTable(IAnsiConsole console, string file, Verdict verdict, IReadOnlyList<Finding> findings, PolicyOptions options, double elapsedMs)
    {
        string action = verdict.Action.Name().ToUpperInvariant();
        string color = verdict.Flagged ? "red" : "green";
        string title = $"[bold]{Markup.Escape(Path.GetFileName(file))}[/]: [{color}]{action}[/]" +
            (verdict.Rule is null ? "" : $" (rule {Markup.Escape(verdict.Rule)})") +
            (verdict.AuditOnly ? $" [yellow]audit only: would have {verdict.WouldHaveAction.Name()}[/]" : "") +
            $" [grey]{elapsedMs:F0} ms[/]";
        console.MarkupLine(title);
        if (findings.Count == 0)
        {
            console.MarkupLine("  [grey]no findings[/]");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("kind");
        table.AddColumn(new TableColumn("count").RightAligned());
        table.AddColumn("confidence");
        table.AddColumn("location");
        table.AddColumn("evidence (masked)");
        table.AddColumn("rule");
        foreach (var f in findings)
        {
            string evidence = f.Summary is null ? string.Join(", ", f.Evidence) : f.Summary + (f.Evidence.Count > 0 ? ": " + string.Join(", ", f.Evidence) : "");
            table.AddRow(
                Markup.Escape(f.Kind),
                f.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                f.Confidence.ToString().ToLowerInvariant(),
                Markup.Escape(f.Location.ToString()),
                Markup.Escape(evidence),
                Markup.Escape(RuleFor(f, verdict, options) ?? ""));
        }

        console.Write(table);
    }
}

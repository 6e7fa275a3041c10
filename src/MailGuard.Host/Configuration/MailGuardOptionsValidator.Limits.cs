using System.Globalization;

namespace MailGuard.Host.Configuration;

/// <summary>The inspection limits and the relay's abuse limits (sessions, command rate, AUTH throttle).</summary>
internal sealed partial class MailGuardOptionsValidator
{
    /// <summary>
    /// Inspection:*, with the ranges the inspection library's own setters enforce, so a value that
    /// passes here never throws when the options are made.
    /// </summary>
    public static void ValidateInspection(InspectionSettings inspection, List<string> errors)
    {
        if (inspection.Ocr.MaxConcurrency is < 0 or > 256)
        {
            errors.Add($"Inspection:Ocr:MaxConcurrency: {inspection.Ocr.MaxConcurrency} must be 0 (one per core) to 256");
        }

        Range(errors, "Inspection:Workers", inspection.Workers, 0, 256, " (0: one per core)");
        Range(errors, "Inspection:MaxQueued", inspection.MaxQueued, 0, 100_000, "");
        Budget(errors, "Inspection:TimeBudget", inspection.TimeBudget, TimeSpan.FromMinutes(10));
        Budget(errors, "Inspection:AttachmentTimeBudget", inspection.AttachmentTimeBudget, TimeSpan.FromHours(1));
        Range(errors, "Inspection:MaxMessageDepth", inspection.MaxMessageDepth, 1, 64, "");
        Range(errors, "Inspection:MaxNestingDepth", inspection.MaxNestingDepth, 1, 64, "");
        Range(errors, "Inspection:MaxExpandedBytes", inspection.MaxExpandedBytes, 1, long.MaxValue, "");
        if (!double.IsFinite(inspection.MaxExpansionRatio) || inspection.MaxExpansionRatio < 1)
        {
            errors.Add("Inspection:MaxExpansionRatio: must be a finite number of at least 1");
        }

        Range(errors, "Inspection:MaxArchiveEntries", inspection.MaxArchiveEntries, 1, int.MaxValue, "");
        Range(errors, "Inspection:MaxCells", inspection.MaxCells, 1, long.MaxValue, "");
        Range(errors, "Inspection:MaxPdfPages", inspection.MaxPdfPages, 1, 1_000_000, "");
    }

    private static void ValidateAbuseLimits(MailGuardOptions options, List<string> errors)
    {
        var relay = options.Relay;
        Positive(errors, "Relay:MaxSessionsPerClient", relay.MaxSessionsPerClient);
        Positive(errors, "Relay:MaxUntrustedSessions", relay.MaxUntrustedSessions);
        if (!(relay.MinimumCommandRate > 0) || double.IsInfinity(relay.MinimumCommandRate))
        {
            errors.Add("Relay:MinimumCommandRate: must be a positive number of bytes per second");
        }

        Positive(errors, "Relay:MaxAuthFailures", relay.MaxAuthFailures);
        PositiveTime(errors, "Relay:AuthLockout", relay.AuthLockout);
        if (relay.AuthFailureDelay < TimeSpan.Zero || relay.AuthFailureDelay > TimeSpan.FromSeconds(30))
        {
            // 16 times the delay must stay well inside a client's 5-minute wait for a reply (RFC 5321 §4.5.3.2).
            errors.Add("Relay:AuthFailureDelay: must be 0 to 30 seconds");
        }
    }

    private static void Range(List<string> errors, string key, long value, long min, long max, string note)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}: {value} must be {min} to {max}{note}"));
        }
    }

    private static void Budget(List<string> errors, string key, TimeSpan value, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}: must be positive and at most {max}"));
        }
    }
}

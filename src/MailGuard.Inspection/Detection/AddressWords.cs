using System.Collections.Frozen;

namespace MailGuard.Inspection.Detection;

/// <summary>Street-type words that end the thoroughfare part of a UK address line (Royal Mail PAF thoroughfare descriptors).</summary>
internal static class AddressWords
{
    // Words/street-suffixes.txt.
    private static readonly FrozenSet<string> s_suffixes =
        WordLists.Load("street-suffixes.txt")[string.Empty].ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool IsStreetSuffix(ReadOnlySpan<char> word) =>
        s_suffixes.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
}

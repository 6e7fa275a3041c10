using System.Collections.Frozen;

namespace MailGuard.Inspection.Detection;

/// <summary>Street-type words that end the thoroughfare part of a UK address line (Royal Mail PAF thoroughfare descriptors).</summary>
internal static class AddressWords
{
    private static readonly FrozenSet<string> s_suffixes = new[]
    {
        "road", "rd", "street", "st", "avenue", "ave", "lane", "ln", "close", "drive", "dr", "way",
        "crescent", "cres", "court", "ct", "place", "pl", "terrace", "tce", "gardens", "gdns", "grove",
        "park", "square", "sq", "hill", "row", "walk", "mews", "view", "rise", "green", "parade",
        "boulevard", "gate", "yard", "wharf", "vale", "croft", "fold", "mount", "villas", "bank",
        "chase", "wynd", "brae", "approach", "circus", "crossing", "end", "field", "fields", "hollow",
        "meadow", "meadows", "oval", "passage", "path", "quay", "ridge", "towers", "wood", "broadway",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool IsStreetSuffix(ReadOnlySpan<char> word) =>
        s_suffixes.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
}

namespace MailGuard.Inspection.Detection;

/// <summary>
/// A validated value found in text. Holds only a position and a hash of the normalised value
/// (to tell one person's repeated number from another's), never the value: evidence is made
/// from the position by <see cref="TextScanner.Mask"/> while the text is still at hand.
/// </summary>
internal readonly record struct TextMatch(DataKind Kind, int Start, int Length, Confidence Confidence, int ValueHash, bool TestRange = false)
{
    public int End => Start + Length;
}

namespace MailGuard.Inspection;

/// <summary>
/// The finding kinds of ARCHITECTURE.md. These strings are a contract (JSON output, policy
/// rules, metrics): add kinds, never rename.
/// </summary>
public static class FindingKinds
{
    public const string ExposedRecipients = "exposed-recipients";
    public const string PersonalData = "personal-data";
    public const string UkNino = "uk-nino";
    public const string UkNhsNumber = "uk-nhs-number";
    public const string DateOfBirth = "date-of-birth";
    public const string UkPostcode = "uk-postcode";
    public const string PostalAddress = "postal-address";
    public const string EmailAddress = "email-address";
    public const string PhoneNumber = "phone-number";
    public const string PaymentCard = "payment-card";
    public const string Iban = "iban";
    public const string UkPassport = "uk-passport";

    /// <summary>GB driving licence numbers (DVLA), validated by their structure and the date of birth in them.</summary>
    public const string UkDrivingLicence = "uk-driving-licence";
    public const string Unscannable = "unscannable";

    /// <summary>Names with work contact details only (a staff or partner directory, a list of organisations): low risk, not held by the shipped policy.</summary>
    public const string BusinessContacts = "business-contacts";

    /// <summary>MIME that mail clients may read differently (duplicate structural fields, a reused boundary, parts outside the parts).</summary>
    public const string MalformedStructure = "malformed-structure";
    public const string TypeMismatch = "type-mismatch";
}

/// <summary>Confidence of a finding, as Purview grades it: low, medium, high.</summary>
public enum Confidence
{
    Low = 1,
    Medium = 2,
    High = 3,
}

/// <summary>
/// One thing inspection found. Evidence is always masked before it is stored here; the
/// unmasked value never leaves the detector. <see cref="Reason"/> says why content was
/// unscannable (an <see cref="UnscannableReason"/> name), so policy can tell an encrypted
/// archive from a limit hit.
/// </summary>
public sealed record Finding(
    string Kind,
    int Count,
    Confidence Confidence,
    ContentLocation Location,
    IReadOnlyList<string> Evidence,
    string? Summary = null,
    string? Reason = null);

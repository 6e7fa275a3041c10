namespace MailGuard.Inspection.Detection;

/// <summary>
/// What a table column or a piece of prose holds, in the vocabulary of personal data. One enum
/// serves columns and text signals so people are counted the same way in both.
/// </summary>
public enum DataKind
{
    Unknown = 0,

    /// <summary>A header that names something that is not a person (office name, product, file).</summary>
    NotPersonal,
    Name,
    DateOfBirth,
    NiNumber,
    NhsNumber,
    PostalAddress,
    Postcode,
    EmailAddress,
    Phone,
    Nationality,
    ImmigrationStatus,
    PrisonerNumber,
    StaffNumber,
    CaseReference,
    ReleaseDate,
    HealthInformation,
    PassportNumber,
    PaymentCard,
    BankAccount,
    Gender,
    Ethnicity,
    Religion,
    Age,
    OffenceType,
    ComplaintDetails,
    DisciplinaryRecords,
    LocationInPrison,
    WorkLocation,
    TrainingRecords,
    JobTitle,
    PersonTitle,

    /// <summary>An organisation's, office's or service's name (a court, a charity, a supplier): the row is not a person.</summary>
    Organisation,

    /// <summary>A code or number that is not about a person (barcode, SKU, order, invoice, serial): its values are never identifiers.</summary>
    Reference,

    /// <summary>A date that is not a date of birth (start, leave, hearing, appointment, purchase).</summary>
    OtherDate,

    /// <summary>HR records: pay, sickness absence, appraisal, pension.</summary>
    HrRecords,

    /// <summary>A contact detail its header calls someone's own (home address, personal mobile, private email).</summary>
    PrivateContact,

    /// <summary>A GB driving licence number (<see cref="UkDrivingLicence"/>).</summary>
    DrivingLicence,

    /// <summary>Special category data beyond health, ethnicity and religion (UK GDPR art. 9): sexual orientation, trade union membership, political opinions, genetic and biometric data.</summary>
    SpecialCategory,
}

public static class DataKinds
{
    private static readonly ulong s_attributeBits = AttributeBits();

    /// <summary>Kinds that single out a person on their own (the "who" of a record).</summary>
    public static bool IsIdentifier(DataKind kind) => kind is DataKind.Name or DataKind.EmailAddress or DataKind.NiNumber
        or DataKind.NhsNumber or DataKind.PrisonerNumber or DataKind.StaffNumber or DataKind.PassportNumber or DataKind.DrivingLicence;

    /// <summary>
    /// Kinds that say something about a person beyond who they are. A name with an e-mail
    /// address (an attendee list, a directory) or a staff number identifies people without
    /// telling anything about them; a name with a date of birth, an NI number, a home address
    /// or a phone number does. Identifier kinds such as NI and NHS numbers count here too.
    /// </summary>
    public static bool IsAttribute(DataKind kind) => !IsWeak(kind) && kind is not (DataKind.Name or DataKind.EmailAddress);

    /// <summary>
    /// Kinds that describe a person in the way a staff directory does (job, office), or say
    /// nothing about anyone (an organisation, a reference code, a start or hearing date): they
    /// never make a row personal data by themselves beside a name. Training records and staff
    /// numbers do (issue 14: a directory joined with them is an HR record).
    /// </summary>
    public static bool IsWeak(DataKind kind) => kind is DataKind.Unknown or DataKind.NotPersonal or DataKind.WorkLocation
        or DataKind.JobTitle or DataKind.PersonTitle or DataKind.Organisation or DataKind.Reference or DataKind.OtherDate;

    public static ulong Bit(DataKind kind) => 1UL << (int)kind;

    internal static ulong Bits(params ReadOnlySpan<DataKind> kinds)
    {
        ulong bits = 0;
        foreach (var k in kinds)
        {
            bits |= Bit(k);
        }

        return bits;
    }

    private static ulong AttributeBits()
    {
        ulong bits = 0;
        foreach (var kind in Enum.GetValues<DataKind>())
        {
            if (IsAttribute(kind))
            {
                bits |= Bit(kind);
            }
        }

        return bits;
    }

    /// <summary>An attribute other than the one identifier present: a lone NI number is who, not what.</summary>
    internal static bool HasAttributeBeyondIdentifier(ulong kinds)
    {
        var attributes = kinds & s_attributeBits;
        if (attributes == 0)
        {
            return false;
        }

        // The identifier may itself be an attribute (NI number); then something else must be there.
        return System.Numerics.BitOperations.PopCount(kinds) >= 2;
    }

    /// <summary>The words used in finding summaries ("1,598 rows: name, date of birth").</summary>
    public static string Describe(DataKind kind) => kind switch
    {
        DataKind.Name => "name",
        DataKind.DateOfBirth => "date of birth",
        DataKind.NiNumber => "NI number",
        DataKind.NhsNumber => "NHS number",
        DataKind.PostalAddress => "postal address",
        DataKind.Postcode => "postcode",
        DataKind.EmailAddress => "email address",
        DataKind.Phone => "phone",
        DataKind.Nationality => "nationality",
        DataKind.ImmigrationStatus => "immigration status",
        DataKind.PrisonerNumber => "prisoner number",
        DataKind.StaffNumber => "staff number",
        DataKind.CaseReference => "case reference",
        DataKind.ReleaseDate => "release date",
        DataKind.HealthInformation => "health information",
        DataKind.PassportNumber => "passport number",
        DataKind.PaymentCard => "payment card",
        DataKind.BankAccount => "bank account",
        DataKind.Gender => "gender",
        DataKind.Ethnicity => "ethnicity",
        DataKind.Religion => "religion",
        DataKind.Age => "age",
        DataKind.OffenceType => "offence",
        DataKind.ComplaintDetails => "complaint details",
        DataKind.DisciplinaryRecords => "disciplinary records",
        DataKind.LocationInPrison => "location in prison",
        DataKind.WorkLocation => "work location",
        DataKind.TrainingRecords => "training records",
        DataKind.JobTitle => "job title",
        DataKind.PersonTitle => "title",
        DataKind.NotPersonal => "not personal",
        DataKind.Organisation => "organisation",
        DataKind.Reference => "reference",
        DataKind.OtherDate => "date",
        DataKind.HrRecords => "HR records",
        DataKind.PrivateContact => "private contact details",
        DataKind.DrivingLicence => "driving licence number",
        DataKind.SpecialCategory => "special category data",
        _ => "unknown",
    };

    /// <summary>The finding kind reported for values of this kind, or null when it has none of its own.</summary>
    public static string? FindingKind(DataKind kind) => kind switch
    {
        DataKind.DateOfBirth => FindingKinds.DateOfBirth,
        DataKind.NiNumber => FindingKinds.UkNino,
        DataKind.NhsNumber => FindingKinds.UkNhsNumber,
        DataKind.PostalAddress => FindingKinds.PostalAddress,
        DataKind.Postcode => FindingKinds.UkPostcode,
        DataKind.EmailAddress => FindingKinds.EmailAddress,
        DataKind.Phone => FindingKinds.PhoneNumber,
        DataKind.PassportNumber => FindingKinds.UkPassport,
        DataKind.DrivingLicence => FindingKinds.UkDrivingLicence,
        DataKind.PaymentCard => FindingKinds.PaymentCard,
        DataKind.BankAccount => FindingKinds.Iban,
        _ => null,
    };
}

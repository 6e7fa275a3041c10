using System.Text;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// Classifies a column header by its words, not its exact spelling: "D.O.B", "DOB",
/// "Date of Birth", "date_of_birth" and "DateOfBirth" all become <see cref="DataKind.DateOfBirth"/>.
/// Headers are normalised to lower-case tokens (split on punctuation, spaces and camel case;
/// runs of single letters joined, so "N.I. No" is "ni no" and "D O B" is "dob").
/// </summary>
public static class HeaderClassifier
{
    public static DataKind Classify(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > 80)
        {
            return DataKind.Unknown;
        }

        var tokens = Tokenize(header);
        if (tokens.Count == 0 || tokens.Count > 8)
        {
            return DataKind.Unknown;
        }

        return Classify(new HeaderWords(tokens));
    }

    /// <summary>
    /// A header that calls its contact detail someone's own ("Home address", "Personal mobile",
    /// "Private email"): Words/people-words.txt [private-contact].
    /// </summary>
    public static bool IsPrivateContact(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > 80)
        {
            return false;
        }

        var tokens = Tokenize(header);
        var joined = string.Join(' ', tokens);
        foreach (var word in PersonWords.PrivateContact)
        {
            if (word.Contains(' ') ? (" " + joined + " ").Contains(" " + word + " ", StringComparison.Ordinal) : tokens.Contains(word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The header names the people of its column by their part at work ("On-call manager",
    /// "Duty officer"; Words/header-words.txt [staff-role], as its last word): when the column
    /// holds names, they are staff's. The header alone does not make a column of names.
    /// </summary>
    public static bool IsStaffRole(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > 80)
        {
            return false;
        }

        return EndsWithStaffRole(Tokenize(header));
    }

    // The header's last word (or last two run together: "on call") is a part at work: "Duty
    // officer" names people, "Officer notes" does not.
    private static bool EndsWithStaffRole(List<string> tokens) =>
        tokens.Count > 0 && (Array.IndexOf(Words.StaffRole, tokens[^1]) >= 0
            || (tokens.Count > 1 && Array.IndexOf(Words.StaffRole, tokens[^2] + tokens[^1]) >= 0));

    internal static List<string> Tokenize(string header)
    {
        var raw = new List<string>(6);
        var current = new StringBuilder();
        char previous = '\0';
        foreach (var c in header)
        {
            if (char.IsLetterOrDigit(c))
            {
                // Camel case ("DateOfBirth") and letter/digit changes ("Line1") split words.
                var boundary = current.Length > 0
                    && ((char.IsUpper(c) && char.IsLower(previous)) || (char.IsDigit(c) != char.IsDigit(previous)));
                if (boundary)
                {
                    raw.Add(current.ToString());
                    current.Clear();
                }

                current.Append(char.ToLowerInvariant(c));
            }
            else if (current.Length > 0 && (c != '\'' || current.Length == 1))
            {
                // An apostrophe joins a word ("Applicant's"), except after an elided article,
                // which is a word of its own ("Nom de l'entreprise": "l", "entreprise").
                raw.Add(current.ToString());
                current.Clear();
            }

            previous = c;
        }

        if (current.Length > 0)
        {
            raw.Add(current.ToString());
        }

        // Join runs of single letters: "d o b" -> "dob", "n i" -> "ni". A lone letter stays.
        var tokens = new List<string>(raw.Count);
        for (var i = 0; i < raw.Count; i++)
        {
            if (raw[i].Length == 1 && char.IsLetter(raw[i][0]) && i + 1 < raw.Count && raw[i + 1].Length == 1 && char.IsLetter(raw[i + 1][0]))
            {
                var joined = new StringBuilder();
                while (i < raw.Count && raw[i].Length == 1 && char.IsLetter(raw[i][0]))
                {
                    joined.Append(raw[i]);
                    i++;
                }

                i--;
                tokens.Add(joined.ToString());
            }
            else
            {
                tokens.Add(raw[i]);
            }
        }

        return tokens;
    }

    private readonly struct HeaderWords(List<string> tokens)
    {
        public readonly string Joined = string.Concat(tokens);

        public bool Has(params ReadOnlySpan<string> words)
        {
            foreach (var w in words)
            {
                if (tokens.Contains(w))
                {
                    return true;
                }
            }

            return false;
        }

        public bool JoinedContains(params ReadOnlySpan<string> parts)
        {
            foreach (var p in parts)
            {
                if (Joined.Contains(p, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        public bool HasNumberWord => Has(Words.Number);

        /// <summary>
        /// The header is one of <paramref name="words"/> (an entry may be a phrase), give or take
        /// the tokens in <paramref name="extra"/>: "Court", "Court name", "Service provider".
        /// </summary>
        public bool IsOnly(string[] words, params ReadOnlySpan<string> extra)
        {
            var kept = new List<string>(tokens.Count);
            foreach (var t in tokens)
            {
                if (!extra.Contains(t))
                {
                    kept.Add(t);
                }
            }

            return kept.Count > 0 && words.Contains(string.Join(' ', kept));
        }
    }

    private static DataKind Classify(HeaderWords w)
    {
        // Birthplace is about origin, not age, and must be decided before "birth" means DOB.
        if (w.JoinedContains(Words.BirthplaceJoined))
        {
            return DataKind.Nationality;
        }

        if (w.Has(Words.DateOfBirth) || w.JoinedContains(Words.DateOfBirthJoined))
        {
            return DataKind.DateOfBirth;
        }

        if (w.Has(Words.NiNumber) || w.JoinedContains(Words.NiNumberJoined)
            || (w.Has("ni") && (w.HasNumberWord || w.Joined == "ni")))
        {
            return DataKind.NiNumber;
        }

        if (w.Has(Words.NhsNumber) || w.JoinedContains(Words.NhsNumberJoined))
        {
            return DataKind.NhsNumber;
        }

        if (w.JoinedContains(Words.PassportJoined))
        {
            return DataKind.PassportNumber;
        }

        if (w.JoinedContains(Words.DrivingLicenceJoined))
        {
            return DataKind.DrivingLicence;
        }

        if (w.Has(Words.BankAccount) || w.JoinedContains(Words.BankAccountJoined))
        {
            return DataKind.BankAccount;
        }

        if (w.JoinedContains(Words.PaymentCardJoined) || w.Has(Words.PaymentCard))
        {
            return DataKind.PaymentCard;
        }

        // A barcode, order or invoice number is a number about a thing: not a card, an NHS number or a phone.
        if (w.Has(Words.Reference))
        {
            return DataKind.Reference;
        }

        if (w.IsOnly(Words.OrganisationColumn, "name", "names"))
        {
            return DataKind.Organisation;
        }

        if (w.JoinedContains(Words.EmailJoined) || (w.Has("e") && w.Has("mail")) || w.Has("mail"))
        {
            return DataKind.EmailAddress;
        }

        // "Prisoner" alone or "Prisoner No" is the prison number; "Prisoner Name" is a name.
        if (w.Has(Words.PrisonerNumber) || (w.Has(Words.Prisoner) && !w.Has(Words.PrisonerName))
            || w.JoinedContains(Words.PrisonerNumberJoined))
        {
            return DataKind.PrisonerNumber;
        }

        if ((w.Has(Words.Staff) && (w.HasNumberWord || w.Has("payroll")))
            || w.JoinedContains(Words.StaffNumberJoined))
        {
            return DataKind.StaffNumber;
        }

        if (w.Has(Words.ReleaseDate))
        {
            return DataKind.ReleaseDate;
        }

        if ((w.Has(Words.Case) && w.HasNumberWord) || w.JoinedContains(Words.CaseReferenceJoined))
        {
            return DataKind.CaseReference;
        }

        var organisation = w.Has(Words.Organisation);

        if (w.JoinedContains(Words.PostcodeJoined) || w.Has(Words.Postcode))
        {
            return organisation && !w.Has(Words.PostcodePlace) ? DataKind.NotPersonal : DataKind.Postcode;
        }

        if (w.Has(Words.Phone) || w.JoinedContains(Words.PhoneJoined))
        {
            return organisation ? DataKind.NotPersonal : DataKind.Phone;
        }

        if (w.Has(Words.Address) || w.JoinedContains(Words.AddressJoined))
        {
            return w.Has(Words.AddressBusiness) ? DataKind.NotPersonal : DataKind.PostalAddress;
        }

        if (w.Has(Words.Nationality) || w.JoinedContains(Words.NationalityJoined))
        {
            return DataKind.Nationality;
        }

        if (w.Has(Words.ImmigrationStatus) || w.JoinedContains(Words.ImmigrationStatusJoined))
        {
            return DataKind.ImmigrationStatus;
        }

        if (w.Has(Words.Name) || w.JoinedContains(Words.NameJoined))
        {
            if (organisation)
            {
                return w.Has(Words.OrganisationEntity) ? DataKind.Organisation : DataKind.NotPersonal;
            }

            // "Patient" alone names a person; "patient id" or "pupil number" is an identifier we cannot validate.
            return w.HasNumberWord && !w.Has(Words.NameItself) ? DataKind.Unknown : DataKind.Name;
        }

        return
            w.Has(Words.Gender) ? DataKind.Gender :
            w.Has(Words.Ethnicity) ? DataKind.Ethnicity :
            w.Has(Words.Religion) ? DataKind.Religion :
            w.Has(Words.SpecialCategory) || w.JoinedContains(Words.SpecialCategoryJoined) ? DataKind.SpecialCategory :
            w.Has(Words.Age) ? DataKind.Age :
            w.Has(Words.Health) ? DataKind.HealthInformation :
            w.Has(Words.Offence) ? DataKind.OffenceType :
            w.Has(Words.Complaint) ? DataKind.ComplaintDetails :
            w.Has(Words.Disciplinary) ? DataKind.DisciplinaryRecords :
            w.Has(Words.HrRecords) ? DataKind.HrRecords :
            w.Has(Words.LocationInPrison) || w.JoinedContains(Words.LocationInPrisonJoined) ? DataKind.LocationInPrison :
            w.Has(Words.WorkLocation) ? DataKind.WorkLocation :
            w.Has(Words.Training) ? DataKind.TrainingRecords :
            w.Has(Words.JobTitle) ? DataKind.JobTitle :
            w.Has(Words.PersonTitle) ? DataKind.PersonTitle :
            w.Has(Words.OtherDate) ? DataKind.OtherDate :
            DataKind.Unknown;
    }

    /// <summary>The sections of Words/header-words.txt, read once.</summary>
    private static class Words
    {
        private static readonly WordLists s_file = WordLists.Load("header-words.txt");

        public static readonly string[] Number = s_file["number"];
        public static readonly string[] Organisation = s_file["organisation"];
        public static readonly string[] OrganisationEntity = s_file["organisation-entity"];
        public static readonly string[] OrganisationColumn = s_file["organisation-column"];
        public static readonly string[] Reference = s_file["reference"];
        public static readonly string[] OtherDate = s_file["other-date"];
        public static readonly string[] HrRecords = s_file["hr-records"];
        public static readonly string[] BirthplaceJoined = s_file["birthplace:joined"];
        public static readonly string[] DateOfBirth = s_file["date-of-birth"];
        public static readonly string[] DateOfBirthJoined = s_file["date-of-birth:joined"];
        public static readonly string[] NiNumber = s_file["ni-number"];
        public static readonly string[] NiNumberJoined = s_file["ni-number:joined"];
        public static readonly string[] NhsNumber = s_file["nhs-number"];
        public static readonly string[] NhsNumberJoined = s_file["nhs-number:joined"];
        public static readonly string[] PassportJoined = s_file["passport:joined"];
        public static readonly string[] DrivingLicenceJoined = s_file["driving-licence:joined"];
        public static readonly string[] BankAccount = s_file["bank-account"];
        public static readonly string[] BankAccountJoined = s_file["bank-account:joined"];
        public static readonly string[] PaymentCard = s_file["payment-card"];
        public static readonly string[] PaymentCardJoined = s_file["payment-card:joined"];
        public static readonly string[] EmailJoined = s_file["email:joined"];
        public static readonly string[] PrisonerNumber = s_file["prisoner-number"];
        public static readonly string[] Prisoner = s_file["prisoner"];
        public static readonly string[] PrisonerName = s_file["prisoner-name"];
        public static readonly string[] PrisonerNumberJoined = s_file["prisoner-number:joined"];
        public static readonly string[] Staff = s_file["staff"];
        public static readonly string[] StaffNumberJoined = s_file["staff-number:joined"];
        public static readonly string[] ReleaseDate = s_file["release-date"];
        public static readonly string[] Case = s_file["case"];
        public static readonly string[] CaseReferenceJoined = s_file["case-reference:joined"];
        public static readonly string[] Postcode = s_file["postcode"];
        public static readonly string[] PostcodeJoined = s_file["postcode:joined"];
        public static readonly string[] PostcodePlace = s_file["postcode-place"];
        public static readonly string[] Phone = s_file["phone"];
        public static readonly string[] PhoneJoined = s_file["phone:joined"];
        public static readonly string[] Address = s_file["address"];
        public static readonly string[] AddressJoined = s_file["address:joined"];
        public static readonly string[] AddressBusiness = s_file["address-business"];
        public static readonly string[] Nationality = s_file["nationality"];
        public static readonly string[] NationalityJoined = s_file["nationality:joined"];
        public static readonly string[] ImmigrationStatus = s_file["immigration-status"];
        public static readonly string[] ImmigrationStatusJoined = s_file["immigration-status:joined"];
        public static readonly string[] Name = s_file["name"];
        public static readonly string[] NameJoined = s_file["name:joined"];
        public static readonly string[] NameItself = s_file["name-itself"];
        public static readonly string[] Gender = s_file["gender"];
        public static readonly string[] Ethnicity = s_file["ethnicity"];
        public static readonly string[] Religion = s_file["religion"];
        public static readonly string[] SpecialCategory = s_file["special-category"];
        public static readonly string[] SpecialCategoryJoined = s_file["special-category:joined"];
        public static readonly string[] Age = s_file["age"];
        public static readonly string[] Health = s_file["health"];
        public static readonly string[] Offence = s_file["offence"];
        public static readonly string[] Complaint = s_file["complaint"];
        public static readonly string[] Disciplinary = s_file["disciplinary"];
        public static readonly string[] LocationInPrison = s_file["location-in-prison"];
        public static readonly string[] LocationInPrisonJoined = s_file["location-in-prison:joined"];
        public static readonly string[] WorkLocation = s_file["work-location"];
        public static readonly string[] Training = s_file["training"];
        public static readonly string[] JobTitle = s_file["job-title"];
        public static readonly string[] StaffRole = s_file["staff-role"];
        public static readonly string[] PersonTitle = s_file["person-title"];
    }
}

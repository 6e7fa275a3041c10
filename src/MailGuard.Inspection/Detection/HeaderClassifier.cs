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
            else if (c != '\'' && current.Length > 0)
            {
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

        public bool HasNumberWord => Has("no", "number", "num", "nbr", "nr", "id", "ref", "reference", "code");
    }

    // Qualifiers that make "name", "address" or "phone" belong to an organisation, not a person.
    private static readonly string[] s_organisationQualifiers =
    [
        "office", "company", "organisation", "organization", "org", "business", "site", "branch", "product", "file",
        "team", "building", "trading", "supplier", "vendor", "item", "brand", "school", "course", "module", "event",
        "project", "establishment", "hospital", "practice", "surgery", "department", "dept", "unit", "ward", "scheme",
        "registered", "switchboard", "sheet", "table", "street", "road", "town", "city", "country", "ip", "web", "url",
        "host", "server", "field", "column", "user", "username", "account", "bank", "venue", "room", "prison",
    ];

    private static DataKind Classify(HeaderWords w)
    {
        // Birthplace is about origin, not age, and must be decided before "birth" means DOB.
        if (w.JoinedContains("placeofbirth", "countryofbirth", "townofbirth", "cityofbirth", "birthplace", "birthcountry"))
        {
            return DataKind.Nationality;
        }

        if (w.Has("dob", "birthdate", "birthday", "dateofbirth") || w.JoinedContains("dateofbirth", "birthdate", "birthdt", "datebirth"))
        {
            return DataKind.DateOfBirth;
        }

        if (w.Has("nino", "nin") || w.JoinedContains("nationalinsurance", "natins")
            || (w.Has("ni") && (w.HasNumberWord || w.Joined == "ni")))
        {
            return DataKind.NiNumber;
        }

        if (w.Has("nhs", "chi") || w.JoinedContains("nhsno", "nhsnumber"))
        {
            return DataKind.NhsNumber;
        }

        if (w.JoinedContains("passport"))
        {
            return DataKind.PassportNumber;
        }

        if (w.Has("iban", "bic", "swift") || w.JoinedContains("sortcode", "bankaccount", "accountnumber", "accountno"))
        {
            return DataKind.BankAccount;
        }

        if (w.JoinedContains("cardnumber", "creditcard", "debitcard", "cardno") || w.Has("pan"))
        {
            return DataKind.PaymentCard;
        }

        if (w.JoinedContains("email") || (w.Has("e") && w.Has("mail")) || w.Has("mail"))
        {
            return DataKind.EmailAddress;
        }

        // "Prisoner" alone or "Prisoner No" is the prison number; "Prisoner Name" is a name.
        if (w.Has("noms") || (w.Has("prisoner", "inmate") && !w.Has("name", "names", "surname", "forename"))
            || w.JoinedContains("prisonno", "prisonnumber", "prisonerno", "prisonernumber", "prisonid", "bookingno"))
        {
            return DataKind.PrisonerNumber;
        }

        if ((w.Has("staff", "employee", "emp", "payroll", "personnel", "worker") && (w.HasNumberWord || w.Has("payroll")))
            || w.JoinedContains("employeeid", "staffid", "staffno", "staffnumber", "payrollno", "payrollnumber", "employeeno", "employeenumber"))
        {
            return DataKind.StaffNumber;
        }

        if (w.Has("release", "released", "edr", "crd", "ard", "led", "sed"))
        {
            return DataKind.ReleaseDate;
        }

        if (((w.Has("case", "application", "claim", "ho", "uan", "cid", "hmcts", "court", "file") && w.HasNumberWord)
            || w.JoinedContains("casereference", "caseref", "caseno", "casenumber", "caseid", "homeofficereference", "horef")))
        {
            return DataKind.CaseReference;
        }

        var organisation = w.Has(s_organisationQualifiers);

        if (w.JoinedContains("postcode", "postalcode", "zipcode") || w.Has("zip", "postcode"))
        {
            return organisation && !w.Has("street", "road", "town", "city", "country") ? DataKind.NotPersonal : DataKind.Postcode;
        }

        if (w.Has("phone", "telephone", "tel", "mobile", "mob", "landline", "fax", "tele", "phoneno", "telno", "mobileno")
            || w.JoinedContains("telephone", "phonenumber", "contactnumber", "contactno", "mobilenumber", "telno", "cellphone"))
        {
            return organisation ? DataKind.NotPersonal : DataKind.Phone;
        }

        if (w.Has("address", "addr", "street", "town", "city", "county", "locality", "village", "house", "flat", "residence", "dwelling")
            || w.JoinedContains("address", "addressline"))
        {
            return w.Has("office", "business", "company", "registered", "work", "site", "branch", "ip", "web", "url", "mac")
                ? DataKind.NotPersonal
                : DataKind.PostalAddress;
        }

        if (w.Has("nationality", "citizenship", "nationalities") || w.JoinedContains("countryoforigin", "countryofnationality"))
        {
            return DataKind.Nationality;
        }

        if (w.Has("immigration", "visa", "asylum", "brp", "residency", "refugee") || w.JoinedContains("leavetoremain", "leavetoenter", "righttowork", "righttorent", "settlementstatus", "eussstatus", "euss"))
        {
            return DataKind.ImmigrationStatus;
        }

        if (w.Has("name", "names", "forename", "forenames", "firstname", "surname", "lastname", "fullname", "givenname", "givennames",
            "familyname", "middlename", "firstnames", "aka", "alias", "child", "children", "dependant", "dependent", "applicant",
            "claimant", "patient", "pupil", "student", "complainant", "victim", "witness", "offender", "defendant", "tenant", "resident")
            || w.JoinedContains("firstname", "lastname", "surname", "forename", "fullname", "knownas"))
        {
            if (organisation)
            {
                return DataKind.NotPersonal;
            }

            // "Patient" alone names a person; "patient id" or "pupil number" is an identifier we cannot validate.
            return w.HasNumberWord && !w.Has("name", "names") ? DataKind.Unknown : DataKind.Name;
        }

        if (w.Has("gender", "sex"))
        {
            return DataKind.Gender;
        }

        if (w.Has("ethnicity", "ethnic", "race"))
        {
            return DataKind.Ethnicity;
        }

        if (w.Has("religion", "faith", "belief"))
        {
            return DataKind.Religion;
        }

        if (w.Has("age"))
        {
            return DataKind.Age;
        }

        if (w.Has("health", "medical", "diagnosis", "condition", "conditions", "medication", "medications", "allergy", "allergies",
            "disability", "disabilities", "clinical", "treatment", "symptoms", "symptom", "mental", "referral", "gp", "illness",
            "injury", "injuries", "vaccination", "pregnancy", "prescription", "impairment", "needs", "safeguarding"))
        {
            return DataKind.HealthInformation;
        }

        if (w.Has("offence", "offences", "offense", "conviction", "convictions", "crime", "sentence", "charge", "charges", "index"))
        {
            return DataKind.OffenceType;
        }

        if (w.Has("complaint", "complaints", "grievance", "allegation", "allegations", "concern", "concerns"))
        {
            return DataKind.ComplaintDetails;
        }

        if (w.Has("disciplinary", "adjudication", "adjudications", "incident", "incidents", "misconduct", "warning", "warnings", "sanction", "sanctions", "iep"))
        {
            return DataKind.DisciplinaryRecords;
        }

        // "Cell" is a prison cell here; a mobile phone is "cell phone" only in American usage.
        if (w.Has("wing", "landing", "houseblock", "cell") || w.JoinedContains("locationinprison", "houseblock"))
        {
            return DataKind.LocationInPrison;
        }

        if (w.Has("office", "site", "base", "department", "dept", "team", "directorate", "region", "location", "establishment", "workplace"))
        {
            return DataKind.WorkLocation;
        }

        if (w.Has("training", "course", "module", "completed", "completion", "certificate", "qualification", "elearning", "learning"))
        {
            return DataKind.TrainingRecords;
        }

        if (w.Has("job", "role", "position", "grade", "occupation", "designation"))
        {
            return DataKind.JobTitle;
        }

        if (w.Has("title", "salutation", "honorific"))
        {
            return DataKind.PersonTitle;
        }

        return DataKind.Unknown;
    }
}

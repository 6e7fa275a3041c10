using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

public class ProseAnalysisTests
{
    private static readonly ContentLocation s_body = new("/1");

    private static ContentAnalyzer Analyze(string text)
    {
        var analyzer = TestData.NewAnalyzer();
        analyzer.OnText(s_body, text.ReplaceLineEndings("\n"));
        return analyzer;
    }

    private static Finding? PersonalData(ContentAnalyzer analyzer) =>
        analyzer.Findings.SingleOrDefault(f => f.Kind == FindingKinds.PersonalData);

    [Theory]
    // Ages in brackets and relationships alone: nothing the scanner matches, no "age" in the text.
    [InlineData("The children are Amy Holt (7), Ben Carter (4), Cara Lewis (12), Dan Moore (3) and Eve Price (9).", 5)]
    [InlineData("The family: her son Tom Lowe, her daughter Amy Lowe, her mother Jean Lowe, her brother Paul Lowe and her partner Sam Reid.", 5)]
    // An address or a phone the words between call the person's own.
    [InlineData("Ms Karen Holt lives at 14 Mill Lane, Leeds LS6 2QT. Ben Carter now lives at 3 Kay Street, Leeds LS7 1AB. Cara Lewis resides at 9 Elm Grove, Leeds LS8 2CD. Dan Moore moved to 21 Park Road, Bradford BD5 0QT. Eve Price is staying at 2 Oak Close, Hull HU5 3RS.", 5)]
    [InlineData("Amy Holt's mobile is 07700 900120. Ben Carter's mobile is 07700 900121. Cara Lewis's home phone: 0113 496 0122. Dan Moore, personal mobile 07700 900123. Eve Price's mobile number is 07700 900124.", 5)]
    // The same words for an organisation's address or a work phone, or none at all: not counted.
    [InlineData("Jane Smith, our Housing Officer, works at Merrion House, 110 Merrion Centre, Leeds LS2 8BB. Tom Baker moved to our Bradford office, 4 Hall Ings, Bradford BD1 1HY. Ann Lee's desk phone is 0113 496 0455. Raj Patel, 0113 496 0456. Sue Ray, 0113 496 0457.", 0)]
    // The words in another sentence or line are not said about the name before them.
    [InlineData("Thanks, Jane Smith. Mobile is 07700 900455. Ann Lee; mobile is 07700 900456. Raj Patel. His mobile is 07700 900457. Sue Ray\nPersonal mobile 07700 900458.", 0)]
    // A mobile number straight after a name is that person's own, as a relationship or an age would say.
    [InlineData("The volunteer drivers are Amy Holt (07700 900120), Ben Carter (+44 7700 900121), Mr Dan Moore on 07700 900123, Cara Lewis, mobile 07700 900122, and Eve Price - 07700 900124.", 5)]
    // Not a mobile (a landline, an 03 or 08 number, 070 personal numbering, 076 pagers), or a job beside the name.
    [InlineData("Call Amy Holt on 0113 496 0120, Ben Carter on 020 7946 0121, Cara Lewis on 07000 900122, Dan Moore on 07600 900123 or Eve Price on 0300 123 0124.", 0)]
    [InlineData("Amy Holt (07700 900120), site manager; Ben Carter (07700 900121), duty officer; Cara Lewis (07700 900122), support co-ordinator; Dan Moore (07700 900123), team administrator; duty officer Eve Price (07700 900124).", 0)]
    // A job named in the sentence makes them work mobiles (business contacts); foster carers' are their own.
    [InlineData("From January your account managers are Amy Holt (07700 900120), Ben Carter (07700 900121), Cara Lewis (07700 900122), Dan Moore (07700 900123) and Eve Price (07700 900124).", 0)]
    [InlineData("The co-ordinators for the event: Amy Holt (07700 900120), Ben Carter (07700 900121), Cara Lewis (07700 900122), Dan Moore (07700 900123), Eve Price (07700 900124).", 0)]
    [InlineData("The foster carers free this weekend are Amy Holt (07700 900120), Ben Carter (07700 900121), Cara Lewis (07700 900122), Dan Moore (07700 900123) and Eve Price (07700 900124).", 5)]
    // An organisation or job word elsewhere in the paragraph is not about them.
    [InlineData("The drivers for Saturday's hospital runs are Amy Holt (07700 900120), Ben Carter (07700 900121), Cara Lewis (07700 900122), Dan Moore (07700 900123) and Eve Price (07700 900124). Please send any changes to the transport co-ordinator by Friday.", 5)]
    // A signature's mobile on the line under the name: said beside it, not about the person.
    [InlineData("Kind regards\nAmy Holt\n07700 900120\n\nThanks\nBen Carter\nM: 07700 900121\n\nBest\nCara Lewis\nMob 07700 900122\n\nRegards\nDan Moore\n07700 900123\n\nCheers\nEve Price\n07700 900124", 0)]
    public void OnText_PeopleNamedInSentences_Counted(string text, int people)
    {
        var analyzer = Analyze("Case notes\n\n" + text + "\n");

        Assert.Equal(people == 0 ? null : people, PersonalData(analyzer)?.Count);
    }

    [Theory]
    [InlineData(48, 2)]
    [InlineData(49, null)]
    public void OnText_OwnContactCue_ReachesTheDetailWithin48Characters(int gap, int? people)
    {
        // From the end of the name to the start of the phone: "'s mobile is, x...x 07700 ...".
        static string Said(string name, int gap, string phone) =>
            name + "'s mobile is, " + new string('x', gap - "'s mobile is, ".Length - 1) + " " + phone;

        var text = Said("Amy Holt", gap, "07700 900120") + " and " + Said("Ben Carter", gap, "07700 900121") + ".";
        Assert.Equal(gap, text.IndexOf("07700", StringComparison.Ordinal) - "Amy Holt".Length);

        Assert.Equal(people, PersonalData(Analyze("Notes\n\n" + text + "\n"))?.Count);
    }

    [Theory]
    [InlineData(12, 2)]
    [InlineData(13, null)]
    public void OnText_MobileWithoutWords_CountsWithin12CharactersOfTheName(int gap, int? people)
    {
        // From the end of the name to the start of the mobile: " x...x 07700 ...".
        static string Said(string name, int gap, string phone) => name + " " + new string('x', gap - 2) + " " + phone;

        var text = Said("Amy Holt", gap, "07700 900120") + " and " + Said("Ben Carter", gap, "07700 900121") + ".";
        Assert.Equal(gap, text.IndexOf("07700", StringComparison.Ordinal) - "Amy Holt".Length);

        Assert.Equal(people, PersonalData(Analyze("Notes\n\n" + text + "\n"))?.Count);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(1, 1)]
    public void OnText_JobWordInTheSentence_ReadWithin400CharactersOfTheMobile(int past, int? people)
    {
        // The sentence before a mobile is read back 400 characters for a job: "managers" whole
        // within them makes both mobiles work ones; one character further it is cut (a word
        // no longer) for the second mobile, whose person is then counted (one person is enough here).
        const string Head = "Our managers ";
        const string Tail = " Amy Holt (07700 900120), and then Ben Carter (07700 900121)";
        var filler = new string('x', 400 - Head.Length + "Our ".Length - (Tail.IndexOf("900121", StringComparison.Ordinal) + 6) + past);
        var text = Head + filler + Tail + ".";

        // From "managers" (or one past its first letter) to the end of the second mobile: 400 characters.
        Assert.Equal(400, text.IndexOf("900121", StringComparison.Ordinal) + 6 - ("Our ".Length + past));

        var analyzer = TestData.NewAnalyzer(minPeople: 1);
        analyzer.OnText(s_body, "Notes\n\n" + text + "\n");
        Assert.Equal(people, PersonalData(analyzer)?.Count);
    }

    [Fact]
    public void OnText_TitledSurnameAfterFullName_SamePerson()
    {
        // "Ms Holt" is Ms Karen Holt again, not a sixth person; a "Mr Price" no fuller name fits is someone else.
        const string letter = "Ms Karen Holt lives at 14 Mill Lane, Leeds LS6 2QT with her children Amy Holt, aged 7, Ben Holt, aged 11, and Cara Holt, aged 14.\n\n"
            + "Ms Holt's mobile is 07700 900912. Her former partner, Darren Price (date of birth 12/04/1984), must not be given the address.";

        Assert.Equal(5, PersonalData(Analyze(letter))?.Count);
        Assert.Equal(6, PersonalData(Analyze(letter + " Mr Quinn's mobile is 07700 900913."))?.Count);
    }

    [Fact]
    public void OnText_LineRecordsWithDobAndNino_CountsEachLine()
    {
        var lines = Enumerable.Range(0, 9).Select(i => $"{TestData.Forename(i)} {TestData.Surname(i)}, DOB {TestData.Dob(i)}, NI {TestData.Nino(i)}");
        var analyzer = Analyze("Hi,\n\nPlease see the list below.\n\n" + string.Join("\n", lines) + "\n\nThanks\nSam");

        var personal = PersonalData(analyzer);
        Assert.NotNull(personal);
        Assert.Equal(9, personal.Count);
        Assert.Equal(Confidence.High, personal.Confidence);
        Assert.Equal(9, analyzer.Findings.Single(f => f.Kind == FindingKinds.UkNino).Count);
        Assert.Equal(9, analyzer.Findings.Single(f => f.Kind == FindingKinds.DateOfBirth).Count);
        TestData.AssertNoRawValues(analyzer.Findings, Enumerable.Range(0, 9).SelectMany(i => new[] { TestData.Nino(i), TestData.Dob(i) }));
    }

    [Theory]
    [InlineData("> ")]
    [InlineData("")]
    public void OnText_SurnameFirstLinesThatSplitOnCommas_ReadAgainAsRecords(string quote)
    {
        // "OKAFOR, Amelia - DOB ... - 14 Fern Road, Leeds LS6 2AB": three comma cells a line, so
        // a table in the text, whose cells hold no column of names; holding nobody as a table,
        // the lines are read again as records, their findings not counted twice.
        var lines = Enumerable.Range(0, 12).Select(i =>
            $"{quote}{TestData.Surname(i).ToUpperInvariant()}, {TestData.Forename(i)} - DOB {TestData.Dob(i)} - {i + 3} Fern Road, Leeds {TestData.Postcode(i)}");
        var analyzer = Analyze("Yes, that's the list:\n\n" + string.Join("\n", lines) + "\n\nThanks");

        Assert.Equal(12, PersonalData(analyzer)?.Count);
        Assert.Equal(12, analyzer.Findings.Single(f => f.Kind == FindingKinds.DateOfBirth).Count);
        Assert.Equal(12, analyzer.Findings.Single(f => f.Kind == FindingKinds.UkPostcode).Count);
    }

    [Theory]
    [InlineData("{0}, Amy - {1} Fern Road, Leeds {2}", "OKAFOR", 6)]
    [InlineData("{0}, Amy - {1} Fern Road, Leeds {2}", "SMITH JONES", 6)]
    [InlineData("{0}, Amy - {1} Fern Road, Leeds {2}", "O'NEILL", 6)]
    // Capitals that end an organisation's heading, or a "forename" running on into words.
    [InlineData("{0}, Older people - {1} Fern Road, Leeds {2}", "AGE UK CALDERDALE & KIRKLEES", 0)]
    [InlineData("{0}, Refuge - {1} Fern Road, Leeds {2}", "LEEDS WOMEN'S AID", 0)]
    [InlineData("{0}, Housing advice - {1} Fern Road, Leeds {2}", "SHELTER", 0)]
    public void OnText_SurnameFirstInCapitals_APersonUnlessAHeading(string format, string capitals, int people)
    {
        var lines = Enumerable.Range(0, 6).Select(i => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, capitals, i + 3, TestData.Postcode(i)));
        Assert.Equal(people == 0 ? null : people, PersonalData(Analyze("The list:\n\n" + string.Join("\n", lines) + "\n\nThanks"))?.Count);
    }

    [Theory]
    // Written as people write them in lists: NI numbers with full stops, dates of birth with "of".
    [InlineData("{0} {1}, NI {2}", 12, 0)]
    [InlineData("{0} - date of birth {3}", 0, 12)]
    public void OnText_DottedNinosAndOrdinalDatesWithOf_Read(string format, int ninos, int dobs)
    {
        var lines = Enumerable.Range(0, 12).Select(i =>
        {
            var nino = TestData.Nino(i);
            var dob = new DateOnly(1950 + i, 1 + i, 1 + i);
            return string.Format(System.Globalization.CultureInfo.InvariantCulture, format,
                TestData.Forename(i) + " " + TestData.Surname(i), "", $"{nino[..2]}.{nino[2..4]}.{nino[4..6]}.{nino[6..8]}.{nino[8]}",
                dob.ToString("d'" + (dob.Day is 1 or 21 ? "st" : dob.Day is 2 or 22 ? "nd" : dob.Day is 3 or 23 ? "rd" : "th") + " of 'MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture));
        });
        var analyzer = Analyze("Members:\n\n" + string.Join("\n", lines));

        Assert.Equal(ninos == 0 ? null : ninos, analyzer.Findings.SingleOrDefault(f => f.Kind == FindingKinds.UkNino)?.Count);
        Assert.Equal(dobs == 0 ? null : dobs, analyzer.Findings.SingleOrDefault(f => f.Kind == FindingKinds.DateOfBirth)?.Count);
        Assert.Equal(12, PersonalData(analyzer)?.Count);
    }

    [Fact]
    public void OnText_LetterNamingChildrenWithBirthDates_CountsApplicantAndChildren()
    {
        const string letter = """
            Dear Ms Ottersby,

            Re: your application concerning the children.

            The court has considered the position of your children: Ada (born 3 May 2014), Bram (born 17 August 2016),
            Cleo (born 2 February 2018), Dov (born 29 June 2020) and Esme (born 11 January 2022).

            We will write to you at 14 Willowbank Road, Leeds LS6 3QT once a date is fixed.

            Yours sincerely
            Listing Office
            """;
        var analyzer = Analyze(letter);

        var personal = PersonalData(analyzer);
        Assert.NotNull(personal);
        Assert.InRange(personal.Count, 5, 6);
        Assert.Contains("date of birth", personal.Summary);
        Assert.Equal(5, analyzer.Findings.Single(f => f.Kind == FindingKinds.DateOfBirth).Count);
    }

    [Fact]
    public void OnText_ComplaintRecordsAsParagraphs_CountsPeople()
    {
        var blocks = Enumerable.Range(0, 6).Select(i => $"""
            Complainant: Mrs {TestData.Forename(i)} {TestData.Surname(i)}
            Address: {i + 3} Larch Crescent, Leeds {TestData.Postcode(i)}
            Tel: {TestData.Mobile(i)}
            Complaint: the visit on the day was cancelled without notice.
            """);
        var analyzer = Analyze("Summary of open complaints:\n\n" + string.Join("\n\n", blocks));

        var personal = PersonalData(analyzer);
        Assert.NotNull(personal);
        Assert.Equal(6, personal.Count);
    }

    [Fact]
    public void OnText_FormStyleRecords_CountsPeople()
    {
        var blocks = Enumerable.Range(0, 4).Select(i => $"""
            Prisoner number: A{1200 + i}BC
            Name: {TestData.Forename(i)} {TestData.Surname(i)}
            DOB: {TestData.Dob(i)}
            Location: Wing B
            """);
        var analyzer = Analyze(string.Join("\n\n", blocks));

        Assert.Equal(4, PersonalData(analyzer)?.Count);
    }

    [Fact]
    public void OnText_TableFlattenedWithSingleSpaces_HeadingGivesContext()
    {
        // What a PDF text layer gives for a table: one heading line, rows without labels.
        var rows = Enumerable.Range(0, 10).Select(i =>
        {
            var nhs = TestData.NhsTestNumber(i);
            return $"{TestData.Forename(i)} {TestData.Surname(i)} {TestData.Dob(i)} {nhs[..3]} {nhs[3..6]} {nhs[6..]} Asthma review";
        });
        var analyzer = Analyze("Referral list\n\nName DOB NHS No Condition\n" + string.Join("\n", rows) + "\n\nPage 1 of 1");

        Assert.Equal(10, PersonalData(analyzer)?.Count);
        var nhsFinding = analyzer.Findings.Single(f => f.Kind == FindingKinds.UkNhsNumber);
        Assert.Equal(10, nhsFinding.Count);
        Assert.Equal(Confidence.Medium, nhsFinding.Confidence);
    }

    [Theory]
    [InlineData("DOB 01/02/90", "01/**/19**")]
    [InlineData("d.o.b. 1.2.1990", "01/**/19**")]
    [InlineData("Born: 14th March 1987", "14/**/19**")]
    [InlineData("(date of birth 2014-05-03)", "03/**/20**")]
    public void OnText_BirthDateForms_Found(string text, string masked) =>
        Assert.Equal(masked, Analyze(text).Findings.Single(f => f.Kind == FindingKinds.DateOfBirth).Evidence[0]);

    [Fact]
    public void OnText_TwoDigitYearAwayFromKeyword_NotDateOfBirth() =>
        Assert.DoesNotContain(Analyze("Date of birth checks were done on the 1/2/24 batch.").Findings, f => f.Kind == FindingKinds.DateOfBirth);

    [Fact]
    public void OnText_PrisonerListWithNumbersAndBirthDates_CountsPrisoners()
    {
        var lines = Enumerable.Range(0, 12).Select(i => $"{i + 1}. A{1300 + i}DE - {TestData.Surname(i).ToUpperInvariant()}, {TestData.Forename(i)} - DOB {TestData.Dob(i)} - B wing - adjudication: damage to cell");
        var analyzer = Analyze("The following prisoners are due for review:\n\n" + string.Join("\n", lines));

        var personal = PersonalData(analyzer);
        Assert.Equal(12, personal?.Count);
    }

    [Fact]
    public void OnText_DoubleSpacedLayoutTable_ReadAsTable()
    {
        // What pdftotext -layout gives: indented fixed-width columns, a blank line between rows.
        var rows = Enumerable.Range(0, 8).Select(i =>
            $"        {TestData.Forename(i) + " " + TestData.Surname(i),-26}{TestData.Dob(i),-15}{TestData.NhsTestNumber(i)[..3]} {TestData.NhsTestNumber(i)[3..6]} {TestData.NhsTestNumber(i)[6..]}   Room {i}    Asthma review\n");
        var text = "        Referral list\n\n        Name                      Date of Birth  NHS Number     Room      Referral reason\n\n" + string.Join("\n", rows);
        var analyzer = Analyze(text);

        var personal = PersonalData(analyzer);
        Assert.Equal(8, personal?.Count);
        Assert.Equal("8 rows: name, date of birth, NHS number, health information", personal?.Summary);
    }

    [Fact]
    public void OnText_DateAfterKeywordInOtherParagraph_NotDateOfBirth()
    {
        const string text = "Please bring proof of your name and date of birth.\n\nThe panel met on 14/03/2024 and 02/05/2023.";
        Assert.DoesNotContain(Analyze(text).Findings, f => f.Kind == FindingKinds.DateOfBirth);
    }

    [Fact]
    public void OnText_IsoDateThenNumber_BothRead()
    {
        var analyzer = Analyze($"NHS number and DOB: 1987-03-14 {TestData.NhsTestNumber(1)}");
        Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNhsNumber);
        Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.DateOfBirth);
    }

    [Fact]
    public void OnText_RecordSplitOverBlocks_ReadTogether()
    {
        // A Word document sent one paragraph per line.
        var analyzer = TestData.NewAnalyzer();
        var location = new ContentLocation("/2", "complaints.docx");
        for (var i = 0; i < 5; i++)
        {
            analyzer.OnText(location, $"Complainant: Mr {TestData.Forename(i)} {TestData.Surname(i)}");
            analyzer.OnText(location, $"Address: {i + 3} Larch Crescent, Leeds {TestData.Postcode(i)}");
            analyzer.OnText(location, $"Phone: {TestData.Mobile(i)}");
            analyzer.OnText(location, string.Empty);
            analyzer.OnText(location, "\n");
        }

        Assert.Equal(5, PersonalData(analyzer)?.Count);
        Assert.Equal("complaints.docx", PersonalData(analyzer)?.Location.FileName);
    }

    [Fact]
    public void OnText_OnePersonsOwnDetails_NoPersonalData()
    {
        const string text = """
            Dear Mr Hawthwaite,

            We have updated your record. Your National Insurance number is AB 12 34 56 C and your date of birth is 14/03/1987.

            We will write to you at 14 Willowbank Road, Leeds LS6 3QT. Your mobile number is 07700 900123.

            Yours sincerely
            Records Team
            """;
        var analyzer = Analyze(text);

        Assert.Null(PersonalData(analyzer));
        Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNino);
        Assert.Equal(1, analyzer.Texts.Single().PeopleCount);
    }

    [Fact]
    public void OnText_NamesOnly_NoPersonalData()
    {
        const string text = """
            Dear Ada, Bram and Cleo,

            Attendees: Ada Quillfeather, Bram Brackenridge, Cleo Ottersby, Dov Fennimore, Esme Hawthwaite, Fitz Larkspur.

            Apologies: Greta Marrowby, Hollis Tillingham.

            Kind regards
            Ines
            """;
        Assert.Null(PersonalData(Analyze(text)));
    }

    [Fact]
    public void OnText_SenderSignatureWithPhones_NoPersonalData()
    {
        const string text = """
            Thanks for your help today.

            Kit Larkspur
            Senior Caseworker | Immigration Enforcement
            Home Office, 2 Marsham Street, London SW1P 4DF
            Tel: 020 7946 0123
            Mobile: 07700 900456
            Email: kit.larkspur@homeoffice.example.gov.uk

            > On 3 March, Jory Fennimore wrote:
            > Could you call me on 0113 496 0789?
            > Jory Fennimore
            > Finance Manager, Tillingham Ltd, 5 Mill Lane, Leeds LS1 4AP
            """;
        Assert.Null(PersonalData(Analyze(text)));
    }

    [Fact]
    public void OnText_OfficeAddressesAndSwitchboards_NoPersonalData()
    {
        var offices = Enumerable.Range(0, 6).Select(i =>
            $"Leeds Office {i}: {i + 1} Civic Square, Leeds {TestData.Postcode(i)}. Switchboard 0113 496 0{i:D3}. Open 9am to 5pm.");
        Assert.Null(PersonalData(Analyze("Our regional offices:\n\n" + string.Join("\n", offices))));
    }

    [Fact]
    public void OnText_AggregateStatistics_NoFindings()
    {
        const string text = """
            In 2023, 1,598 applications were received, of which 1,204 (75.3%) were granted.
            Applicants born in 1990 or later made up 41% of the total; median age 33.
            Table 2: 2,345 | 1,987 | 12.5% | 9434 76591
            Reference period 01/04/2023 to 31/03/2024.
            """;
        var analyzer = Analyze(text);
        Assert.Empty(analyzer.Findings);
    }

    [Fact]
    public void OnText_DatesThatAreNotBirthDates_NoDateOfBirth()
    {
        const string text = """
            The board met on 14/03/1987 and again on 2 June 1990. The report dated 1987-03-14 was published
            on 14 March 1987 and reviewed on March 14, 1999.
            """;
        Assert.DoesNotContain(Analyze(text).Findings, f => f.Kind == FindingKinds.DateOfBirth);
    }

    [Theory]
    // The birth label stands nearer the date than the other word: a date of birth.
    [InlineData("Home visit - Amelia Okafor (DOB 17/06/1938)", true)]
    [InlineData("Appointment: Amy Lowe, born 13 June 1943", true)]
    [InlineData("Released: Amy Lowe, DOB 19/09/1954", true)]
    // The other word stands nearer: not one, however close the label before it.
    [InlineData("DOB and release date: 19/09/2004", false)]
    [InlineData("Born in Leeds; visited on 19/09/1954", false)]
    [InlineData("Amelia Okafor (DOB 17/06/1938, hearing 02/03/1965)", false)]
    public void OnText_BirthLabelAndAnotherDateWord_TheNearerSaysWhatTheDateIs(string line, bool birth)
    {
        var dates = Analyze(line).Findings.Where(f => f.Kind == FindingKinds.DateOfBirth).Sum(f => f.Count);
        Assert.Equal(birth ? 1 : 0, line.Contains("hearing", StringComparison.Ordinal) ? dates - 1 : dates);
    }

    [Fact]
    public void OnText_ValueWrittenTwiceInOneDocument_CountedOnce()
    {
        // Three people's NI numbers, each in a form's text and again in its table's (as an HTML
        // page of key/value tables reads): three numbers, not six, so five numbers' rule is not met.
        var analyzer = TestData.NewAnalyzer();
        foreach (var (name, ni) in new[] { ("Amelia Okafor", "AB 12 34 56 C"), ("Oliver Lindqvist", "CE654321A"), ("Isla Haddad", "JK102938D") })
        {
            analyzer.OnText(s_body, $"Name\t{name}\nNI number\t{ni}\n");
            analyzer.OnText(s_body, $"Name: {name}\nNI number: {ni.Replace(" ", string.Empty, StringComparison.Ordinal)}\n\n");
        }

        Assert.Equal(3, analyzer.Findings.Single(f => f.Kind == FindingKinds.UkNino).Count);

        // Different numbers each count, however alike their lines.
        var distinct = Analyze(string.Join("\n", Enumerable.Range(10, 6).Select(i => $"NI number: AB 12 34 {i} C")));
        Assert.Equal(6, distinct.Findings.Single(f => f.Kind == FindingKinds.UkNino).Count);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(-1, 0)]
    public void OnText_DistinctValuesAtTheCap_LaterRepeatsCountedAsTheyCome(int offset, int repeatsCounted)
    {
        // Distinct values are remembered up to DistinctValuesCap a document (100,000 by default;
        // 20 here); past it, values are counted as they come (memory stays bounded), so a repeat
        // counts again.
        var options = new ContentAnalyzerOptions { ReferenceDate = TestData.Today, DistinctValuesCap = 20 };
        var analyzer = new ContentAnalyzer(options, null, new MailboxDomains(DomainSet.PersonalMailboxes, null));
        int distinct = options.DistinctValuesCap + offset;
        string text = string.Join("\n", Enumerable.Range(1, distinct).Select(i => $"NI number: AB {i:D2} 34 56 C")) + "\nNI number: AB 01 34 56 C\nNI number: AB 01 34 56 C\n";
        analyzer.OnText(s_body, text);

        Assert.Equal(distinct + repeatsCounted, analyzer.Findings.Single(f => f.Kind == FindingKinds.UkNino).Count);
        Assert.Equal(100_000, new ContentAnalyzerOptions().DistinctValuesCap);
    }

    [Fact]
    public void OnText_LookAlikeIdentifiers_NoFindings()
    {
        const string text = """
            Codes: DA123456A, AO123456B, GB123456C, AB123456E, AB000000A, TN123456B, ZZ123456D, QQ123456C.
            NHS numbers: 943 476 5918, 9434765917, 1111111111.
            Card: 4111 1111 1111 1112.
            """;
        var analyzer = Analyze(text);
        Assert.DoesNotContain(analyzer.Findings, f => f.Kind is FindingKinds.UkNino or FindingKinds.UkNhsNumber or FindingKinds.PaymentCard or FindingKinds.PersonalData);
    }

    [Fact]
    public void OnText_KeywordsOnly_NoFindings()
    {
        const string text = """
            When you apply you will need your National Insurance number and your date of birth.
            Your NHS number is on your NHS letters. Do not send your passport number by email.
            """;
        Assert.Empty(Analyze(text).Findings);
    }

    [Fact]
    public void OnText_BareTenDigitNumberPassingMod11_LowConfidenceUnlessNhsContext()
    {
        var bare = Analyze("Please quote 4820096753 when you reply.").Findings.Single(f => f.Kind == FindingKinds.UkNhsNumber);
        Assert.Equal(Confidence.Low, bare.Confidence);

        var labelled = Analyze("Patient NHS number: 482 009 6753.").Findings.Single(f => f.Kind == FindingKinds.UkNhsNumber);
        Assert.Equal(Confidence.High, labelled.Confidence);
        Assert.Equal("482 *** **53", labelled.Evidence[0]);
    }

    [Theory]
    [InlineData("Order 4820096753 has shipped.")]
    [InlineData("Invoice no. 4820096753 is attached.")]
    [InlineData("Timestamp 1710412345 logged.")]
    [InlineData("Run 94820096753 finished.")] // embedded in a longer digit run
    [InlineData("ID 4820096753123 finished.")]
    [InlineData("Reading 12.4820096753 noted.")]
    public void OnText_NumberThatIsNotAnNhsNumber_NoFinding(string text) =>
        Assert.DoesNotContain(Analyze(text).Findings, f => f.Kind == FindingKinds.UkNhsNumber);

    [Theory]
    [InlineData("Call me on 07700 900123 tomorrow.", "07700 ***123")]
    [InlineData("Tel: +44 20 7946 0123", "+44 20 7*** *123")]
    [InlineData("Ring (0113) 496 0123.", "(0113) 4** *123")]
    // Brackets around the whole number, as a list of people and their numbers writes it.
    [InlineData("The drivers are Amy Holt (07700 900123) and Ben Carter.", "07700 ***123")]
    [InlineData("Amy Holt (07700900123), Ben Carter.", "07700***123")]
    public void OnText_UkPhoneNumbers_FoundAndMasked(string text, string masked)
    {
        var phone = Analyze(text).Findings.Single(f => f.Kind == FindingKinds.PhoneNumber);
        Assert.Equal(masked, phone.Evidence[0]);
    }

    [Theory]
    [InlineData("Serial 1207700900123 logged.")]
    [InlineData("Batch 07700900123456 logged.")]
    [InlineData("Value 077009001.23 logged.")]
    public void OnText_PhoneInsideLongerDigitRun_NoFinding(string text) =>
        Assert.DoesNotContain(Analyze(text).Findings, f => f.Kind == FindingKinds.PhoneNumber);

    [Fact]
    public void OnText_MixedIdentifiers_EachMasked()
    {
        const string text = """
            Card 4111 1111 1111 1111 and IBAN GB82 WEST 1234 5698 7654 32 were used.
            Contact jane.doe@example.com. Passport number 123456789. Postcode SW1A 1AA.
            """;
        var findings = Analyze(text).Findings;
        Assert.Equal("4*** **** **** 1111", findings.Single(f => f.Kind == FindingKinds.PaymentCard).Evidence[0]);
        Assert.Equal("GB82 **** **** **** **54 32", findings.Single(f => f.Kind == FindingKinds.Iban).Evidence[0]);
        Assert.Equal("j***@example.com", findings.Single(f => f.Kind == FindingKinds.EmailAddress).Evidence[0]);
        Assert.Equal("1*******9", findings.Single(f => f.Kind == FindingKinds.UkPassport).Evidence[0]);
        Assert.Equal("SW1A ***", findings.Single(f => f.Kind == FindingKinds.UkPostcode).Evidence[0]);
        TestData.AssertNoRawValues(findings, ["4111 1111 1111 1111", "GB82 WEST", "jane.doe", "123456789", "SW1A 1AA"]);
    }

    [Theory]
    [InlineData("Send it to GIR 0AA please.", "GIR ***")]
    [InlineData("Send it to EC1A 1BB please.", "EC1A ***")]
    [InlineData("Send it to M1 1AE please.", "M1 ***")]
    public void OnText_Postcodes_FoundAndMasked(string text, string masked) =>
        Assert.Equal(masked, Analyze(text).Findings.Single(f => f.Kind == FindingKinds.UkPostcode).Evidence[0]);

    [Theory]
    [InlineData("Send it to Q1 1AA please.")]
    [InlineData("Send it to LS6 3CI please.")]
    public void OnText_InvalidPostcodes_NoFinding(string text) =>
        Assert.DoesNotContain(Analyze(text).Findings, f => f.Kind == FindingKinds.UkPostcode);

    [Theory]
    [InlineData("Order ref 4111 1111 1111 1111 dispatched.")]
    [InlineData("Invoice 5555555555554444 paid.")]
    public void OnText_CardShapedOrderNumber_NoCardFinding(string text) =>
        Assert.DoesNotContain(Analyze(text).Findings, f => f.Kind == FindingKinds.PaymentCard);

    [Fact]
    public void OnText_CardWithCardContext_HighConfidence() =>
        Assert.Equal(Confidence.High, Analyze("Paid by Visa card 4111 1111 1111 1111.").Findings.Single(f => f.Kind == FindingKinds.PaymentCard).Confidence);

    [Fact]
    public void OnText_DrivingLicencesBesideTheirWords_PeopleAndMaskedEvidence()
    {
        // Printed in three groups, as on the card; the last group is not read as a postcode.
        string[] licences = ["MORGA753116SM9IJ", "SMITH862292JA9XY", "LOWE9710203TJ9AB", "HOLTK806054KH9CD", "PRICE901127EP9EF"];
        var lines = licences.Select((l, i) => $"{TestData.Forename(i)} {TestData.Surname(i)} - driving licence {l[..5]} {l[5..11]} {l[11..]}");

        var findings = Analyze("Fleet drivers for the insurer:\n\n" + string.Join("\n", lines)).Findings;

        var found = findings.Single(f => f.Kind == FindingKinds.UkDrivingLicence);
        Assert.Equal(5, found.Count);
        Assert.Equal("M************J", found.Evidence[0]);
        Assert.Equal(5, findings.Single(f => f.Kind == FindingKinds.PersonalData).Count);
        Assert.DoesNotContain(findings, f => f.Kind == FindingKinds.UkPostcode);
        TestData.AssertNoRawValues(findings, licences);
    }

    [Fact]
    public void OnText_PostcodesBesideAndInsideLicences_OnlyThoseInsideDropped()
    {
        // Each line: a real postcode, then a licence whose last group is postcode-shaped. The
        // postcodes outside the licences stay, in order; the ones inside them go. Every line's
        // postcode and licence differ from the others' (a value written twice is counted once).
        const string Letters = "ABDEFGHJLNPQRSTUWXYZ";
        var lines = Enumerable.Range(0, 300).Select(i =>
            $"Driver {i}: home LS{1 + (i % 9)} {i % 10}{Letters[i / 10 % 20]}{Letters[i / 200]}, licence number MORGA{7 + (i % 2)}5{1 + (i % 9)}{1 + (i % 28):00}{i % 10}F93HA");

        var findings = Analyze(string.Join("\n", lines)).Findings;

        Assert.Equal(300, findings.Single(f => f.Kind == FindingKinds.UkDrivingLicence).Count);
        Assert.Equal(300, findings.Single(f => f.Kind == FindingKinds.UkPostcode).Count);
        Assert.Equal("LS1 ***", findings.Single(f => f.Kind == FindingKinds.UkPostcode).Evidence[0]);
    }

    [Fact]
    public void OnText_LicenceShapedCodesWithoutLicenceWords_NoFinding() =>
        Assert.DoesNotContain(Analyze("Stock codes: MORGA753116SM9IJ, SMITH862292JA9XY.").Findings, f => f.Kind == FindingKinds.UkDrivingLicence);

    [Fact]
    public void OnText_NineDigitsWithoutPassportContext_NoPassportFinding() =>
        Assert.DoesNotContain(Analyze("Ticket 123456789 closed.").Findings, f => f.Kind == FindingKinds.UkPassport);

    [Fact]
    public void OnText_NinoWithoutSuffix_OnlyWithContext()
    {
        Assert.DoesNotContain(Analyze("Code AB123456 applied.").Findings, f => f.Kind == FindingKinds.UkNino);
        var found = Analyze("NI number AB 12 34 56 on file.").Findings.Single(f => f.Kind == FindingKinds.UkNino);
        Assert.Equal("AB****56", found.Evidence[0]);
    }

    [Theory]
    [InlineData("NI: AB-12-34-56-C.", "AB****56C")]
    [InlineData("Ref AB-123456-C, checked", "AB****56C")]
    [InlineData("Part CE-12-34 56-A", null)]
    [InlineData("Code AB-12-34-56- next", null)]
    public void OnText_NinoWithHyphens_FoundAsWithSpaces(string text, string? evidence)
    {
        var found = Analyze(text).Findings.SingleOrDefault(f => f.Kind == FindingKinds.UkNino);
        Assert.Equal(evidence, found?.Evidence[0]);
    }

    [Fact]
    public void OnText_SameRecordRepeatedInReplyChain_CountedOnce()
    {
        var lines = string.Join("\n", Enumerable.Range(0, 3).Select(i => $"{TestData.Surname(i)}, DOB {TestData.Dob(i)}, NI {TestData.Nino(i)}"));
        var analyzer = TestData.NewAnalyzer();
        analyzer.OnText(s_body, lines);
        analyzer.OnText(s_body, "> " + lines.Replace("\n", "\n> ", StringComparison.Ordinal));

        // Quote markers are read through and people are keyed by NI number: three, not six.
        Assert.Equal(3, analyzer.MaxPeopleCount);
        Assert.Equal(3, PersonalData(analyzer)?.Count);
    }

    [Fact]
    public void OnText_SameRecordsRepeatedAsProse_CountedOnce()
    {
        var analyzer = TestData.NewAnalyzer();
        analyzer.OnText(s_body, "Ada was born on 3 May 2014 and Bram was born on 17 August 2016.");
        analyzer.OnText(s_body, "> Ada was born on 3 May 2014 and Bram was born on 17 August 2016.");

        Assert.Equal(2, PersonalData(analyzer)?.Count);
    }

    [Fact]
    public void OnText_PipeTableWithHeader_ReadAsTable()
    {
        var rows = Enumerable.Range(0, 12).Select(i => $"| A{1200 + i}BC | {TestData.Forename(i)} {TestData.Surname(i)} | {TestData.Dob(i)} | B-{i} | Adjudication pending |");
        var text = "Roll for this week:\n\n| Prison No | Name | DOB | Cell | Adjudications |\n" + string.Join("\n", rows) + "\n\nRegards";
        var analyzer = Analyze(text);

        var personal = PersonalData(analyzer);
        Assert.NotNull(personal);
        Assert.Equal(12, personal.Count);
        Assert.Equal("12 rows: prisoner number, name, date of birth, location in prison, disciplinary records", personal.Summary);
        // The fourth line of the text (header on line 3), as a reader counts lines.
        Assert.Equal(4, personal.Location.Row);
    }

    [Fact]
    public void OnText_CsvContactList_ReadAsTable()
    {
        var rows = Enumerable.Range(0, 20).Select(i => $"\"{TestData.Surname(i)}, {TestData.Forename(i)}\",person{i}@example.org,{TestData.Mobile(i)}");
        var analyzer = Analyze("name,email,phone\n" + string.Join("\n", rows));

        Assert.Equal(20, PersonalData(analyzer)?.Count);
    }

    [Fact]
    public void OnText_AttendeeLinesWithEmails_NoPersonalData()
    {
        var lines = Enumerable.Range(0, 10).Select(i => $"{TestData.Forename(i)} {TestData.Surname(i)} <person{i}@example.org>");
        Assert.Null(PersonalData(Analyze("Attendees:\n" + string.Join("\n", lines) + "\n\nAgenda to follow.")));
    }

    [Fact]
    public void OnText_ContactLinesWithEmailAndMobile_CountsPeople()
    {
        var lines = Enumerable.Range(0, 10).Select(i => $"{TestData.Forename(i)} {TestData.Surname(i)} - person{i}@example.org - {TestData.Mobile(i)}");
        Assert.Equal(10, PersonalData(Analyze("Volunteers:\n" + string.Join("\n", lines)))?.Count);
    }

    [Fact]
    public void OnText_TabSeparatedStockList_NoPersonalData()
    {
        var rows = Enumerable.Range(0, 20).Select(i => $"SKU-{1000 + i}\tWidget {i}\t{i * 3}\t12.50");
        var analyzer = Analyze("Item\tDescription\tQty\tPrice\n" + string.Join("\n", rows));

        Assert.Null(PersonalData(analyzer));
        Assert.Single(analyzer.Tables);
    }

    [Fact]
    public void OnText_FiftyThousandRecordLines_LinearTime()
    {
        var lines = Enumerable.Range(0, 50_000).Select(i => $"{TestData.Forename(i)} {TestData.Surname(i)} born {TestData.Dob(i)} NI {TestData.Nino(i)}");
        var text = string.Join("\n", lines);
        var analyzer = TestData.NewAnalyzer();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        analyzer.OnText(s_body, text);
        var people = PersonalData(analyzer)?.Count;
        watch.Stop();

        Assert.True(people > 40_000, $"{people} people");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Constructor_TimeProvider_SetsReferenceDateForAgeCheck()
    {
        var analyzer = new ContentAnalyzer(timeProvider: new FixedTimeProvider(new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(1990, 1, 1), analyzer.ReferenceDate);

        // Born after the reference date: not a date of birth.
        analyzer.OnText(s_body, "DOB 14/03/1995");
        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.DateOfBirth);
    }

    [Theory]
    // A number in brackets after a name is an age, unless the paragraph counts things with it.
    [InlineData("Scorers on Saturday: Amy Holt (2), Ben Carter (1), Cara Lewis (3), Dan Moore (1) and Eve Price (2).", null)]
    [InlineData("Votes cast for the committee:\nAmy Holt (12)\nBen Carter (9)\nCara Lewis (31)\nDan Moore (4)\nEve Price (17)", null)]
    [InlineData("Scorers on Saturday were announced.\n\nThe children are Amy Holt (7), Ben Carter (4), Cara Lewis (12), Dan Moore (3) and Eve Price (9).", 5)]
    [InlineData("Goals: none this week. The children are Amy Holt, aged 7, Ben Carter, aged 4, Cara Lewis, aged 12, Dan Moore, aged 3, and Eve Price, aged 9.", 5)]
    public void OnText_BracketedNumbersThatCountThings_NotAges(string text, int? people)
    {
        Assert.Equal(people, PersonalData(Analyze(text))?.Count);
    }

    [Theory]
    [InlineData("named", "gmail.com", 30)]
    [InlineData("bare", "hotmail.co.uk", 30)]
    [InlineData("named", "example.org", null)]
    [InlineData("bare", "example.org", null)]
    [InlineData("inline", "gmail.com", 30)]
    [InlineData("inline", "example.org", null)]
    [InlineData("quoted-headers", "gmail.com", null)]
    [InlineData("quoted-to-line", "gmail.com", null)]
    public void OnText_ListOfPeoplesOwnMailboxes_Counted(string shape, string domain, int? people)
    {
        // A list of people's own mailboxes (at providers that serve the public), with or without
        // their names, is a list of people, as the same list in a CSV is; a company's addresses
        // say nothing about anyone, and a thread's quoted headers name its correspondents.
        var lines = Enumerable.Range(0, 30).Select(i =>
        {
            var address = $"{TestData.Forename(i).ToLowerInvariant()}.{TestData.Surname(i).ToLowerInvariant()}{i}@{domain}";
            return shape switch
            {
                "named" => $"{TestData.Forename(i)} {TestData.Surname(i)} <{address}>",
                "bare" or "inline" or "quoted-to-line" => address,
                _ => $"{(i % 2 == 0 ? "From" : "> Cc")}: {TestData.Forename(i)} {TestData.Surname(i)} <{address}>",
            };
        });

        var list = shape switch
        {
            "inline" => string.Join("; ", lines),
            "quoted-to-line" => "-----Original Message-----\nFrom: Sam Lee <sam.lee@council.example.gov.uk>\nTo: " + string.Join("; ", lines),
            _ => string.Join("\n", lines),
        };
        var analyzer = Analyze("Volunteers for the mailing:\n\n" + list + "\n\nThanks\nSam");

        var found = PersonalData(analyzer);
        Assert.Equal(people, found?.Count);
        if (found is not null)
        {
            Assert.Contains("private contact details", found.Summary, StringComparison.Ordinal);
        }
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

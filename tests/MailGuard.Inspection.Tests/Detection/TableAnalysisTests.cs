using System.Diagnostics;
using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

public class TableAnalysisTests
{
    private static readonly ContentLocation s_csv = new("/2", "people.csv");

    private static IEnumerable<string[]> PeopleRows(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return [TestData.Nino(i), TestData.Forename(i), TestData.Surname(i), TestData.Dob(i), TestData.Postcode(i)];
        }
    }

    [Fact]
    public void BeginTable_HeaderedPeopleTable_CountsRowsAndNamesKinds()
    {
        var analyzer = TestData.NewAnalyzer();
        TestData.SendTable(analyzer, s_csv, PeopleRows(40).Prepend(["NINO", "Forename", "Surname", "D.O.B", "Post Code"]));

        var personal = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(40, personal.Count);
        Assert.Equal(Confidence.High, personal.Confidence);
        Assert.Equal("40 rows: NI number, name, date of birth, postcode", personal.Summary);
        // As a spreadsheet shows it: the header is row 1, the first person row 2.
        Assert.Equal(2, personal.Location.Row);

        var nino = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNino);
        Assert.Equal(40, nino.Count);
        Assert.Equal(5, nino.Evidence.Count);
        Assert.All(nino.Evidence, e => Assert.Matches("^[A-Z]{2}\\*{4}[0-9]{2}[A-D]$", e));
        Assert.Equal(0, nino.Location.Column);
        Assert.Equal(40, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.DateOfBirth).Count);
        Assert.Equal(40, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkPostcode).Count);

        var table = Assert.Single(analyzer.Tables);
        Assert.Equal(0, table.HeaderRowIndex);
        Assert.Equal(40, table.PeopleCount);
        Assert.Equal(40, table.DataRows);
        Assert.All(table.Columns, c => Assert.Equal(ColumnKindSource.Header, c.Source));

        TestData.AssertNoRawValues(analyzer.Findings, PeopleRows(40).SelectMany(r => new[] { r[0], r[3] }));
    }

    [Fact]
    public void BeginTable_TitleRowsAboveHeader_FindsHeader()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = new List<string[]>
        {
            new[] { "Table 4b: case level data, quarter 3", "", "", "" },
            new[] { "", "", "", "" },
            new[] { "Full Name", "Date of Birth", "Nationality", "Immigration Status" },
        };
        for (var i = 0; i < 30; i++)
        {
            rows.Add([TestData.Forename(i) + " " + TestData.Surname(i), TestData.Dob(i), "Ruritanian", i % 2 == 0 ? "Leave to remain" : "Pending"]);
        }

        TestData.SendTable(analyzer, s_csv, rows);

        var table = Assert.Single(analyzer.Tables);
        Assert.Equal(2, table.HeaderRowIndex);
        Assert.Equal(30, table.PeopleCount);
        Assert.Equal([DataKind.Name, DataKind.DateOfBirth, DataKind.Nationality, DataKind.ImmigrationStatus], table.PersonalKinds);
        Assert.Equal("30 rows: name, date of birth, nationality, immigration status",
            Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData).Summary);
    }

    [Fact]
    public void BeginTable_NoHeader_ClassifiesColumnsFromValues()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 25).Select(i => new[]
        {
            TestData.Forename(i) + " " + TestData.Surname(i), TestData.Nino(i), TestData.Dob(i), TestData.Mobile(i),
        });
        TestData.SendTable(analyzer, s_csv, rows);

        var table = Assert.Single(analyzer.Tables);
        Assert.Null(table.HeaderRowIndex);
        Assert.Equal([DataKind.Name, DataKind.NiNumber, DataKind.DateOfBirth, DataKind.Phone], table.Columns.Select(c => c.Kind));
        Assert.All(table.Columns, c => Assert.Equal(ColumnKindSource.Values, c.Source));
        Assert.Equal(25, table.PeopleCount);
    }

    [Theory]
    // A word the header rules did not read atop a column of dates says what they are.
    [InlineData("Author", "Published", false)]
    [InlineData("Member", "Date joined", false)]
    // A birth label, or no label (the first row is data), leaves the values to say it.
    [InlineData("Holder", "D.O.B.", true)]
    [InlineData(null, null, true)]
    public void BeginTable_UnreadHeaderOverDatesSpreadOverDecades_NotBirthDatesUnlessItSaysSo(string? nameLabel, string? dateLabel, bool births)
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 15).Select(i => new[] { TestData.Forename(i) + " " + TestData.Surname(i), "Volume " + (i + 1), TestData.Dob(i) });
        if (nameLabel is not null)
        {
            rows = rows.Prepend([nameLabel, "Volume", dateLabel!]);
        }

        TestData.SendTable(analyzer, s_csv, rows);

        // Too few known words for a header row: the table is read as headerless.
        var table = Assert.Single(analyzer.Tables);
        Assert.Null(table.HeaderRowIndex);
        Assert.Equal(births, table.Columns[2].Kind == DataKind.DateOfBirth);
    }

    [Fact]
    public void BeginTable_HeaderlessNhsColumn_InferredAtMediumConfidence()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 20).Select(i => new[] { TestData.Forename(i) + " " + TestData.Surname(i), TestData.NhsTestNumber(i), "Asthma" });
        TestData.SendTable(analyzer, s_csv, rows);

        var table = Assert.Single(analyzer.Tables);
        Assert.Equal(DataKind.NhsNumber, table.Columns[1].Kind);
        Assert.Equal(Confidence.Medium, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNhsNumber).Confidence);
    }

    [Fact]
    public void BeginTable_HeaderlessRandomTenDigitColumn_NotNhs()
    {
        var analyzer = TestData.NewAnalyzer();
        // Ten-digit numbers, about one in eleven of which passes mod 11 by chance.
        var rows = Enumerable.Range(0, 60).Select(i => new[] { $"Widget {i}", (5000000000L + (i * 123456791L)).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.NotEqual(DataKind.NhsNumber, Assert.Single(analyzer.Tables).Columns[1].Kind);
        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.UkNhsNumber && f.Confidence > Confidence.Low);
    }

    [Fact]
    public void BeginTable_IbanAndCardColumns_ValidatedAndMasked()
    {
        var analyzer = TestData.NewAnalyzer();
        TestData.SendTable(analyzer, s_csv,
        [
            ["Name", "IBAN", "Card Number"],
            ["Ada Quillfeather", "GB82 WEST 1234 5698 7654 32", "4111 1111 1111 1111"],
            ["Bram Brackenridge", "GB82 WEST 1234 5698 7654 33", "4111 1111 1111 1112"],
        ]);

        Assert.Equal(1, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.Iban).Count);
        Assert.Equal("4*** **** **** 1111", Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PaymentCard).Evidence[0]);
    }

    [Fact]
    public void BeginTable_TypedDateCells_CountAsDatesOfBirth()
    {
        var analyzer = TestData.NewAnalyzer();
        var table = analyzer.BeginTable(new ContentLocation("/2", "roll.xlsx", "Sheet1"));
        table.OnRow(0, [Cell.FromText("Prison No"), Cell.FromText("Name"), Cell.FromText("DOB"), Cell.FromText("Wing")]);
        for (var i = 0; i < 12; i++)
        {
            var dob = new DateTime(1980 + i, 5, 1 + i);
            table.OnRow(i + 1, [Cell.FromText($"A{1000 + i}BC"), Cell.FromText(TestData.Surname(i)), new Cell("31234", CellKind.Date, dob), Cell.FromText("B")]);
        }

        table.Complete();

        var dobs = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.DateOfBirth);
        Assert.Equal(12, dobs.Count);
        Assert.Equal("01/**/19**", dobs.Evidence[0]);
        Assert.Equal("roll.xlsx", dobs.Location.FileName);
        Assert.Equal("Sheet1", dobs.Location.Sheet);
        Assert.Equal(12, Assert.Single(analyzer.Tables).PeopleCount);
    }

    [Fact]
    public void BeginTable_NumericCells_NhsAndPhoneRead()
    {
        var analyzer = TestData.NewAnalyzer();
        var table = analyzer.BeginTable(s_csv);
        table.OnRow(0, [Cell.FromText("Name"), Cell.FromText("NHS Number"), Cell.FromText("Mobile")]);
        for (var i = 0; i < 4; i++)
        {
            var nhs = double.Parse(TestData.NhsTestNumber(i), System.Globalization.CultureInfo.InvariantCulture);
            table.OnRow(i + 1, [Cell.FromText(TestData.Surname(i)), new Cell("9.99E+09", CellKind.Number, Number: nhs), new Cell("7700900123", CellKind.Number, Number: 7700900123 + i)]);
        }

        table.Complete();

        Assert.Equal(4, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNhsNumber).Count);
        Assert.Equal("07700***123", Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PhoneNumber).Evidence[0]);
    }

    [Fact]
    public void BeginTable_FormLayoutTablesInOneDocument_CountedTogetherAsText()
    {
        // A Word document with one "label | value" table per complaint.
        var analyzer = TestData.NewAnalyzer();
        var document = new ContentLocation("/2", "forms.docx");
        analyzer.OnText(document, "Complaint forms, batch 3");
        for (var i = 0; i < 7; i++)
        {
            analyzer.OnText(document, $"Complaint C-{100 + i}");
            TestData.SendTable(analyzer, document,
            [
                ["Name", $"{TestData.Forename(i)} {TestData.Surname(i)}"],
                ["Address", $"{i + 10} Rowan Close, Leeds"],
                ["Postcode", TestData.Postcode(i)],
                ["Telephone", TestData.Mobile(i)],
                ["Reason for complaint", "Nobody returned my calls about the repair."],
            ]);
        }

        var personal = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(7, personal.Count);
        Assert.Equal("forms.docx", personal.Location.FileName);
        Assert.All(analyzer.Tables, t => Assert.True(t.ReadAsText));
    }

    [Fact]
    public void BeginTable_TwoColumnTableOfPeople_NotAForm()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 10).Select(i => new[] { TestData.Forename(i) + " " + TestData.Surname(i), TestData.Dob(i) })
            .Prepend(["Name", "DOB"]);
        TestData.SendTable(analyzer, s_csv, rows);

        var table = Assert.Single(analyzer.Tables);
        Assert.False(table.ReadAsText);
        Assert.Equal(10, table.PeopleCount);
    }

    [Fact]
    public void BeginTable_PastMaxTables_RowsReadAsTextNothingLost()
    {
        // A page of 1,500 one-person tables: the first 1,000 are tables, the rest are read as
        // lines of text (a table analyzer each would be kept to the end), and every NI number counts.
        var analyzer = TestData.NewAnalyzer();
        var page = new ContentLocation("/2", "forms.html");
        for (var i = 0; i < 1500; i++)
        {
            TestData.SendTable(analyzer, page with { Sheet = $"table {i + 1}" },
            [
                ["Name", "NI number", "Date of birth"],
                [$"{TestData.Forename(i)} {TestData.Surname(i)}", TestData.Nino(i), TestData.Dob(i)],
            ]);
        }

        Assert.Equal(ContentAnalyzer.MaxTables, analyzer.Tables.Count);
        Assert.Equal(1500, analyzer.Findings.Where(f => f.Kind == FindingKinds.UkNino).Sum(f => f.Count));
        Assert.True(analyzer.MaxPeopleCount >= 1500, $"people {analyzer.MaxPeopleCount}");
    }

    [Theory]
    [InlineData("On-call manager", null)]
    [InlineData("Duty officer", null)]
    [InlineData("Name", 8)]
    public void BeginTable_NamesHeadedByTheirPartAtWork_AStaffListWhateverTheNumbers(string header, int? people)
    {
        // An on-call rota with the managers' mobiles is staff contact data; the same mobiles
        // beside plain names may be people's own.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 8).Select(i => new[] { $"0{1 + i}/07/2024", $"{TestData.Forename(i)} {TestData.Surname(i)}", TestData.Mobile(i) })
            .Prepend(["Week commencing", header, "Mobile"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(people, analyzer.Findings.SingleOrDefault(f => f.Kind == FindingKinds.PersonalData)?.Count);
    }

    [Fact]
    public void BeginTable_ClientsBesideTheirCaseOfficer_StillPeople()
    {
        // A staff column beside the clients' own names does not make the clients staff.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 8).Select(i => new[] { $"{TestData.Forename(i)} {TestData.Surname(i)}", TestData.Mobile(i), $"{TestData.Forename(i + 20)} {TestData.Surname(i + 20)}" })
            .Prepend(["Client", "Mobile", "Case officer"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(8, analyzer.Findings.SingleOrDefault(f => f.Kind == FindingKinds.PersonalData)?.Count);
    }

    [Fact]
    public void Findings_TableNeverCompleted_IncludesRowsSent()
    {
        var analyzer = TestData.NewAnalyzer();
        var table = analyzer.BeginTable(s_csv);
        table.OnRow(0, [Cell.FromText("Name"), Cell.FromText("NINO")]);
        for (var i = 0; i < 3; i++)
        {
            table.OnRow(i + 1, [Cell.FromText(TestData.Surname(i)), Cell.FromText(TestData.Nino(i))]);
        }

        Assert.Equal(3, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData).Count);
        table.OnRow(9, [Cell.FromText("late"), Cell.FromText("row")]);
        table.Complete();
        Assert.Single(analyzer.Tables);
    }

    [Fact]
    public void OnRow_AfterComplete_Throws()
    {
        var table = TestData.NewAnalyzer().BeginTable(s_csv);
        table.Complete();
        Assert.Throws<InvalidOperationException>(() => table.OnRow(0, [Cell.FromText("x")]));
    }

    [Fact]
    public void BeginTable_LookAlikeNinos_NoNinoFindingAndNoPeople()
    {
        var analyzer = TestData.NewAnalyzer();
        // Each breaks one HMRC rule: D first, O second, GB prefix, suffix E, all-zero digits, TN.
        string[] lookAlikes = ["DA123456A", "AO123456B", "GB123456C", "AB123456E", "AB000000A", "TN123456B"];
        var rows = lookAlikes.Select((v, i) => new[] { TestData.Surname(i), v }).Prepend(["Surname", "NI Number"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.DoesNotContain(analyzer.Findings, f => f.Kind is FindingKinds.UkNino or FindingKinds.PersonalData);
        Assert.Equal(0, Assert.Single(analyzer.Tables).PeopleCount);
    }

    [Fact]
    public void BeginTable_LookAlikeNhsNumbers_NoFinding()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 20).Select(i =>
        {
            var valid = TestData.NhsTestNumber(i);
            var broken = valid[..9] + (char)('0' + ((valid[9] - '0' + 1) % 10));
            return new[] { TestData.Surname(i), broken };
        }).Prepend(["Patient Name", "NHS No"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.DoesNotContain(analyzer.Findings, f => f.Kind is FindingKinds.UkNhsNumber or FindingKinds.PersonalData);
    }

    [Fact]
    public void BeginTable_NhsTestRange_FlaggedInSummary()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 8).Select(i => new[] { TestData.Surname(i), TestData.NhsTestNumber(i), "Asthma" })
            .Prepend(["Surname", "NHS Number", "Diagnosis"]);
        TestData.SendTable(analyzer, s_csv, rows);

        var nhs = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNhsNumber);
        Assert.Equal(8, nhs.Count);
        Assert.Equal("8 of 8 in the NHS 999 test range", nhs.Summary);
        Assert.Equal("999 *** **", nhs.Evidence[0][..10]);
        Assert.Equal(8, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData).Count);
    }

    [Fact]
    public void BeginTable_OfficeDirectory_NoPersonalData()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = new List<string[]> { new[] { "Office", "Office Address", "Postcode", "Switchboard" } };
        for (var i = 0; i < 12; i++)
        {
            rows.Add([$"Site {i}", $"{i + 1} Civic Square", TestData.Postcode(i), "0113 496 0000"]);
        }

        TestData.SendTable(analyzer, s_csv, rows);

        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
    }

    [Fact]
    public void BeginTable_SharedSwitchboardBesideNames_NotCountedAsPersonal()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 20).Select(i => new[] { TestData.Forename(i) + " " + TestData.Surname(i), "Caseworker", "020 7946 0000" })
            .Prepend(["Name", "Job Title", "Phone"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
    }

    [Fact]
    public void BeginTable_AttendeeNamesOnly_NoPersonalData()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 15).Select(i => new[] { TestData.Forename(i), TestData.Surname(i), "Policy Unit" })
            .Prepend(["First Name", "Last Name", "Team"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
    }

    [Fact]
    public void BeginTable_StockSheetWithTenDigitCodes_NoPersonalDataNoConfidentNhs()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 60).Select(i => new[] { (4000000000L + (i * 7777777L)).ToString(System.Globalization.CultureInfo.InvariantCulture), $"Widget {i}", (i * 3).ToString(System.Globalization.CultureInfo.InvariantCulture), "12.50" })
            .Prepend(["Product Code", "Description", "Qty", "Price"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.UkNhsNumber && f.Confidence > Confidence.Low);
    }

    [Theory]
    [InlineData("device_id")]
    [InlineData("Sensor")]
    [InlineData("IMEI")]
    [InlineData("SIM ICCID")]
    [InlineData("Meter serial")]
    public void BeginTable_MachinesLuhnValidNumbers_NotCards(string header)
    {
        // A handset's IMEI, a SIM's ICCID and many devices' ids are Luhn-valid by design.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 40).Select(i => new[] { $"2026-11-{1 + (i % 28):00}T10:00:00Z", LuhnValid(4000_0000_0000_000L + (i * 7919L)), $"{20 + (i % 10)}.5" })
            .Prepend(["timestamp", header, "reading"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.PaymentCard);
    }

    private static string LuhnValid(long fifteenDigits)
    {
        var digits = fifteenDigits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            sum += i % 2 == 0 ? (d * 2 > 9 ? (d * 2) - 9 : d * 2) : d;
        }

        return digits + ((10 - (sum % 10)) % 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("Widget {0}", false)]
    [InlineData("Room {0}01", false)]
    [InlineData("person", true)]
    public void BeginTable_NamesWithDigits_AreThingsNotPeople(string nameFormat, bool people)
    {
        // "Name" and "Released" above products are a catalogue; above people, prisoners' release dates.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 20).Select(i => new[]
        {
            nameFormat == "person" ? $"{TestData.Forename(i)} {TestData.Surname(i)}" : string.Format(System.Globalization.CultureInfo.InvariantCulture, nameFormat, i),
            $"0{1 + (i % 9)}/12/2026",
        }).Prepend(["Name", "Release date"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(people, analyzer.Findings.Any(f => f.Kind == FindingKinds.PersonalData));
    }

    [Fact]
    public void BeginTable_OnePersonsRow_BelowMinPeople_NoPersonalData()
    {
        var analyzer = TestData.NewAnalyzer();
        TestData.SendTable(analyzer, s_csv, PeopleRows(1).Prepend(["NINO", "Forename", "Surname", "DOB", "Postcode"]));

        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(1, Assert.Single(analyzer.Tables).PeopleCount);
        Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNino);
    }

    [Fact]
    public void BeginTable_IdentifiersInUnclassifiedColumn_StillFound()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 6).Select(i => new[] { TestData.Surname(i), $"Checked NI {TestData.Nino(i)} on file" })
            .Prepend(["Surname", "Notes"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(6, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNino).Count);
        Assert.Equal(6, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData).Count);
    }

    [Fact]
    public void BeginTable_NamesAndEmailsOnly_NoPersonalData()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 30).Select(i => new[] { TestData.Forename(i) + " " + TestData.Surname(i), $"person{i}@example.net" })
            .Prepend(["Attendee", "Email"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(30, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.EmailAddress).Count);
    }

    [Fact]
    public void BeginTable_ContactList_CountsNameEmailPhoneRows()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 30).Select(i => new[]
        {
            TestData.Forename(i) + " " + TestData.Surname(i), $"person{i}@example.net", TestData.Mobile(i),
        }).Prepend(["Name", "Email", "Mobile"]);
        TestData.SendTable(analyzer, s_csv, rows);

        var personal = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(30, personal.Count);
        Assert.Equal("p***@example.net", Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.EmailAddress).Evidence[0]);
    }

    [Theory]
    [InlineData("gmail.com", true)]
    [InlineData("BTInternet.com", true)]
    [InlineData("web.de", true)]
    [InlineData("example.org", false)]
    public void BeginTable_NamesWithMailboxesOnly_PersonalWhenTheMailboxesAreTheirOwn(string domain, bool personal)
    {
        // Names and addresses at a provider that serves the public (DomainSet.PersonalMailboxDefaults)
        // are people's own contact details, as a "Home email" column's; at an organisation's domain,
        // its staff's work addresses.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 30).Select(i => new[]
        {
            TestData.Surname(i), TestData.Forename(i), $"{TestData.Forename(i).ToLowerInvariant()}.{i}@{domain}",
        }).Prepend(["Surname", "First name", "Email"]);
        TestData.SendTable(analyzer, s_csv, rows);

        var found = analyzer.Findings.SingleOrDefault(f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(personal, found is not null);
        if (personal)
        {
            Assert.Equal(30, found!.Count);
            Assert.Contains("private contact details", found.Summary, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(30, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.BusinessContacts).Count);
        }
    }

    [Theory]
    [InlineData("Team", "nino", 20)]
    [InlineData("Phone", "nino", 20)]
    [InlineData("Job title", "nhs", 20)]
    [InlineData("Order number", "nhs", null)]
    [InlineData("Order number", "nino", 20)]
    [InlineData("Case ref", "nino", 20)]
    [InlineData("Barcode", "nhs", null)]
    public void BeginTable_IdentifiersUnderAnotherHeader_ReadAsWhatTheyAre(string header, string values, int? people)
    {
        // NI numbers relabelled "Team", "Phone" or "Order number" are still NI numbers: six in ten
        // values that validate that strictly are no chance. A header that says what a number is
        // not (an order number, a barcode) keeps its veto over numeric look-alikes (NHS numbers).
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 20).Select(i => new[] { $"{TestData.Forename(i)} {TestData.Surname(i)}", values == "nino" ? TestData.Nino(i) : TestData.NhsTestNumber(i) })
            .Prepend(["Name", header]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(people, analyzer.Findings.SingleOrDefault(f => f.Kind == FindingKinds.PersonalData)?.Count);
        Assert.Equal(people, analyzer.Findings.SingleOrDefault(f => f.Kind == (values == "nino" ? FindingKinds.UkNino : FindingKinds.UkNhsNumber))?.Count);
    }

    [Fact]
    public void BeginTable_SurnameForenameSplitByAnUnquotedComma_ReadAsOneName()
    {
        // "Okafor, Amelia" without quotes: one cell more than the header in every row, the dates
        // of birth under "Notes". Read as written, nobody; joined, fifteen people.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 15).Select(i => new[] { TestData.Surname(i), " " + TestData.Forename(i), TestData.Dob(i), "Attended" })
            .Prepend(["Name", "Date of birth", "Notes"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(15, analyzer.Findings.Single(f => f.Kind == FindingKinds.PersonalData).Count);
        Assert.Equal(15, analyzer.Findings.Single(f => f.Kind == FindingKinds.DateOfBirth).Count);
        Assert.Equal(3, Assert.Single(analyzer.Tables).Columns.Count);
    }

    [Fact]
    public void Extract_CsvWithSurnameForenameUnquoted_ReadAsOneNameStreamedToo()
    {
        // Past the buffered rows the CSV's records stream as ranges: they are joined the same way.
        var csv = new System.Text.StringBuilder("Name,Date of birth,Notes\r\n");
        for (var i = 0; i < 200; i++)
        {
            csv.Append($"{TestData.Surname(i)}, {TestData.Forename(i)},{TestData.Dob(i)},Attended\r\n");
        }

        var analyzer = TestData.NewAnalyzer();
        MailGuard.Inspection.Extraction.ContentExtractor.Extract(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv.ToString())), "list.csv", "text/csv",
            new ContentLocation("/2", "list.csv"), analyzer, new MailGuard.Inspection.Extraction.ExtractionLimits(), CancellationToken.None);

        Assert.Equal(200, analyzer.Findings.Single(f => f.Kind == FindingKinds.DateOfBirth).Count);
        Assert.True(analyzer.Findings.Single(f => f.Kind == FindingKinds.PersonalData).Count >= 150);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void BeginTable_NameSplitInThreeRowsAtLeast_Joined(int rows, bool joined)
    {
        // Two wider rows may be chance; three (six in ten of the data rows) are the file's shape.
        var analyzer = TestData.NewAnalyzer(minPeople: 1);
        var table = Enumerable.Range(0, rows).Select(i => new[] { TestData.Surname(i), " " + TestData.Forename(i), TestData.Dob(i), "Attended" })
            .Prepend(["Name", "Date of birth", "Notes"]);
        TestData.SendTable(analyzer, s_csv, table);

        Assert.Equal(joined ? 3 : 4, Assert.Single(analyzer.Tables).Columns.Count);
    }

    [Fact]
    public void BeginTable_RowsEndingInAnEmptyField_NotJoined()
    {
        // Exports that end every record with a comma have one empty cell more: nothing to join.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 15).Select(i => new[] { $"{TestData.Forename(i)} {TestData.Surname(i)}", TestData.Dob(i), string.Empty })
            .Prepend(["Name", "Date of birth"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(15, analyzer.Findings.Single(f => f.Kind == FindingKinds.PersonalData).Count);
        Assert.Equal(DataKind.DateOfBirth, Assert.Single(analyzer.Tables).Columns[1].Kind);
    }

    [Fact]
    public void BeginTable_SwappedHeaders_ColumnsReadForWhatTheyHold()
    {
        // "Name" over NI numbers and "NI number" over names: both headers belong to the other
        // column, and the values say so (no name is an NI number, no NI number a name).
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 20).Select(i => new[] { TestData.Nino(i), $"{TestData.Forename(i)} {TestData.Surname(i)}" }).Prepend(["Name", "NI number"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(20, analyzer.Findings.Single(f => f.Kind == FindingKinds.PersonalData).Count);
        var columns = Assert.Single(analyzer.Tables).Columns;
        Assert.Equal([DataKind.NiNumber, DataKind.Name], columns.Select(c => c.Kind));
    }

    [Theory]
    // NI numbers without their suffix still fit their own header, as the cell classifier takes them.
    [InlineData("NI number", "nino-no-suffix", DataKind.NiNumber)]
    // Mobile numbers under "Email": read as the phone numbers they are.
    [InlineData("Email", "mobile", DataKind.Phone)]
    // Four values are too few to overrule a header; five are enough.
    [InlineData("Postcode", "few", DataKind.Postcode)]
    [InlineData("Postcode", "five", DataKind.Unknown)]
    public void BeginTable_HeaderNotOneValueFits_ValuesDecide(string header, string values, DataKind expected)
    {
        var analyzer = TestData.NewAnalyzer();
        var count = values switch { "few" => 4, "five" => 5, _ => 12 };
        var rows = Enumerable.Range(0, count).Select(i => new[]
        {
            $"{TestData.Forename(i)} {TestData.Surname(i)}",
            values switch { "nino-no-suffix" => TestData.Nino(i)[..8], "mobile" => TestData.Mobile(i), _ => "n/k" },
        }).Prepend(["Name", header]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(expected, Assert.Single(analyzer.Tables).Columns[1].Kind);
    }

    [Fact]
    public void BeginTable_NamesAndDrivingLicences_PeopleAndLicenceFinding()
    {
        // A fleet's drivers for an insurer: names and GB licence numbers (15 rows, the same
        // licence twice is one person); a value that is not a licence is not counted.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 15).Select(i => new[] { $"{TestData.Forename(i)} {TestData.Surname(i)}", $"SMITH8{(i % 2 == 0 ? "03" : "53")}{10 + i}{i % 10}JA9XY" })
            .Append(["Someone Else", "NOT A LICENCE"]).Prepend(["Name", "Driving licence number"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(15, analyzer.Findings.Single(f => f.Kind == FindingKinds.UkDrivingLicence).Count);
        Assert.Equal(15, analyzer.Findings.Single(f => f.Kind == FindingKinds.PersonalData).Count);
    }

    [Theory]
    [InlineData("gmail.com", 30)]
    [InlineData("example.org", null)]
    public void BeginTable_OneColumnOfMailboxes_PeopleWhenTheirOwn(string domain, int? people)
    {
        // A table of one column is layout, except a column of people's own mailboxes: a mailing
        // list of private addresses is a list of people; a column of company addresses is not.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 30).Select(i => new[] { $"{TestData.Forename(i).ToLowerInvariant()}.{i}@{domain}" }).Prepend(["Email"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(people, analyzer.Findings.SingleOrDefault(f => f.Kind == FindingKinds.PersonalData)?.Count);
        Assert.Equal(people ?? 0, analyzer.MaxPeopleCount);
    }

    [Fact]
    public void BeginTable_ConfiguredProviders_ReplaceTheBuiltInOnes()
    {
        // Policy:PersonalMailboxDomains reaches the tables: a provider added there counts, gmail.com
        // left out of it does not.
        static bool Personal(string domain, DomainSet providers)
        {
            var analyzer = TestData.NewAnalyzer(personalMailboxes: providers);
            var rows = Enumerable.Range(0, 30).Select(i => new[] { TestData.Surname(i), TestData.Forename(i), $"p{i}@{domain}" })
                .Prepend(["Surname", "First name", "Email"]);
            TestData.SendTable(analyzer, s_csv, rows);
            return analyzer.Findings.Any(f => f.Kind == FindingKinds.PersonalData);
        }

        var configured = new DomainSet(["isp.example"]);
        Assert.True(Personal("ISP.example", configured));
        Assert.False(Personal("gmail.com", configured));
    }

    [Theory]
    [InlineData("council.example.gov.uk", "landline", 30, false)]
    [InlineData("housing.council.example.gov.uk", "landline", 30, false)]
    [InlineData("leeds.gov.uk", "switchboard", 30, false)]
    [InlineData("trust.nhs.uk", "none", 30, false)]
    [InlineData("council.example.gov.uk", "landline", 27, false)]
    [InlineData("council.example.gov.uk", "landline", 26, true)]
    [InlineData("council.example.gov.uk", "mobile", 30, true)]
    [InlineData("partner.example", "landline", 30, true)]
    public void BeginTable_NamesWorkAddressesAndDeskPhones_AStaffDirectory(string domain, string phones, int atDomain, bool personal)
    {
        // Issue 14's category 2: staff names with their work e-mail and desk phone are business
        // contact data, with or without a job-title column. A work address is at the
        // organisation's own domains (Policy:InternalDomains) or at one only organisations are
        // given (gov.uk, nhs.uk); nine in ten of them make the column work addresses. A mobile
        // may be someone's own, and an address anywhere else may be anyone's: people, as before.
        var analyzer = TestData.NewAnalyzer(internalDomains: new DomainSet(["council.example.gov.uk"]));
        var header = phones == "none" ? new[] { "Name", "Email" } : ["Name", "Email", "Phone"];
        var rows = Enumerable.Range(0, 30).Select(i =>
        {
            var email = $"{TestData.Forename(i).ToLowerInvariant()}.{i}@{(i < atDomain ? domain : "elsewhere.example")}";
            var phone = phones switch
            {
                "landline" => $"0113 496 {i:0000}",
                "switchboard" => $"0300 555 {i:0000}",
                "mobile" => TestData.Mobile(i),
                _ => null,
            };
            var name = TestData.Forename(i) + " " + TestData.Surname(i);
            return phone is null ? new[] { name, email } : [name, email, phone];
        }).Prepend(header);
        TestData.SendTable(analyzer, s_csv, rows);

        var found = analyzer.Findings.SingleOrDefault(f => f.Kind == FindingKinds.PersonalData);
        if (personal)
        {
            Assert.Equal(30, found?.Count);
        }
        else
        {
            Assert.Null(found);
            Assert.Equal(30, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.BusinessContacts).Count);
        }
    }

    [Theory]
    [InlineData("Date of birth")]
    [InlineData("NI number")]
    [InlineData("Home address")]
    [InlineData("Staff number")]
    public void BeginTable_StaffDirectoryWithPersonalAttributes_PersonalData(string extra)
    {
        // A staff directory stops being business contact data when personal attributes join it.
        var analyzer = TestData.NewAnalyzer(internalDomains: new DomainSet(["council.example.gov.uk"]));
        var rows = Enumerable.Range(0, 30).Select(i => new[]
        {
            TestData.Forename(i) + " " + TestData.Surname(i), $"p{i}@council.example.gov.uk", $"0113 496 {i:0000}",
            extra switch
            {
                "Date of birth" => $"{1 + (i % 28):00}/0{1 + (i % 9)}/19{60 + i}",
                "NI number" => TestData.Nino(i),
                "Home address" => $"{i + 1} Mill Lane, Leeds",
                _ => $"E{10000 + (i * 37)}",
            },
        }).Prepend(["Name", "Email", "Phone", extra]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.Equal(30, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData).Count);
    }

    [Fact]
    public void BeginTable_RoleMailboxAtWebmail_NotSomeonesOwn()
    {
        // info.leeds@gmail.com is a group's mailbox, however it is hosted.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 30).Select(i => new[] { TestData.Surname(i), TestData.Forename(i), $"info.team{i}@gmail.com" })
            .Prepend(["Surname", "First name", "Email"]);
        TestData.SendTable(analyzer, s_csv, rows);

        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
    }

    [Fact]
    public void BeginTable_RowListReused_BufferedRowsKeepTheirValues()
    {
        var analyzer = TestData.NewAnalyzer();
        var table = analyzer.BeginTable(s_csv);
        var row = new Cell[3];
        void Send(long index, string a, string b, string c)
        {
            row[0] = Cell.FromText(a);
            row[1] = Cell.FromText(b);
            row[2] = Cell.FromText(c);
            table.OnRow(index, row);
        }

        Send(0, "Name", "NI Number", "DOB");
        for (var i = 0; i < 5; i++)
        {
            Send(i + 1, TestData.Surname(i), TestData.Nino(i), TestData.Dob(i));
        }

        table.Complete();
        Assert.Equal(5, Assert.Single(analyzer.Tables).PeopleCount);
    }

    [Fact]
    public void BeginTable_ManyRowsRepeatingPeople_CountsDistinctPeopleQuickly()
    {
        var analyzer = TestData.NewAnalyzer();
        var table = analyzer.BeginTable(s_csv);
        table.OnRow(0, [Cell.FromText("NINO"), Cell.FromText("Name"), Cell.FromText("DOB"), Cell.FromText("Postcode"), Cell.FromText("Notes")]);
        var prepared = Enumerable.Range(0, 1000).Select(i => new[]
        {
            Cell.FromText(TestData.Nino(i)), Cell.FromText(TestData.Surname(i)), Cell.FromText(TestData.Dob(i)), Cell.FromText(TestData.Postcode(i)), Cell.FromText("no further action"),
        }).ToArray();

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 200_000; i++)
        {
            table.OnRow(i + 1, prepared[i % prepared.Length]);
        }

        table.Complete();
        watch.Stop();

        // 1,000 people, each in 200 rows: people are keyed by NI number.
        Assert.Equal(1000, Assert.Single(analyzer.Tables).PeopleCount);
        Assert.Equal(200_000, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNino).Count);
        // Generous bound for a shared CI core; locally this is well under a second.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"200,000 rows took {watch.Elapsed}");
    }

    [Fact]
    public void Classifier_RowKeysMadeOnlyWhileWanted_KindsAlways()
    {
        var tallies = new TallySet(5);
        var cells = new TableCellClassifier(s_csv, tallies, new TableDates(new DateOnly(2026, 1, 1)), MailboxDomains.Default);
        TableColumn[] columns =
        [
            new(0) { Kind = DataKind.NiNumber, Source = ColumnKindSource.Header },
            new(1) { Kind = DataKind.Name, Source = ColumnKindSource.Header },
            new(2) { Kind = DataKind.Name, Source = ColumnKindSource.Header },
        ];
        foreach (var column in columns)
        {
            column.Prepare(tallies);
        }

        cells.Columns = columns;
        var nino = TestData.Nino(7);
        void Row(bool wantKeys, bool wantNameKey, bool withNino)
        {
            cells.BeginRow(wantKeys, wantNameKey);
            cells.ClassifyCells(1, [withNino ? Cell.FromText(nino) : Cell.Empty, Cell.FromText("Tom"), Cell.FromText("Haddad")]);
        }

        var nameKey = ((long)DataKind.Name << 32) | (uint)CellText.FoldedHash("Tom Haddad");
        var kinds = DataKinds.Bit(DataKind.NiNumber) | DataKinds.Bit(DataKind.Name);

        Row(wantKeys: true, wantNameKey: true, withNino: true);
        Assert.NotEqual(0, cells.RowPersonKey);
        Assert.Equal(cells.RowPersonKey, cells.RowKey);
        Assert.Equal(kinds, cells.RowMask);

        Row(wantKeys: true, wantNameKey: true, withNino: false);
        Assert.Equal(0, cells.RowPersonKey);
        Assert.Equal(nameKey, cells.RowKey);

        // Rows' keys no longer kept: the name is not hashed; the identifier still is (people's keys are).
        Row(wantKeys: true, wantNameKey: false, withNino: false);
        Assert.Equal(0, cells.RowKey);
        Row(wantKeys: true, wantNameKey: false, withNino: true);
        Assert.NotEqual(0, cells.RowPersonKey);

        // Neither kept: no key at all, and the row's kinds and counts as before.
        Row(wantKeys: false, wantNameKey: false, withNino: true);
        Assert.Equal(0, cells.RowPersonKey);
        Assert.Equal(0, cells.RowKey);
        Assert.Equal(kinds, cells.RowMask);
        Assert.Equal(3, columns[0].Valid);
        Assert.Equal(5, columns[1].Valid);
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(1000, 60)]
    public void PeopleAcrossTables_NamedInAWideTablePastTheSixtyFourthColumn_AreTheSamePeople(int secondTablePeopleFrom, int expectedPeople)
    {
        // The same 30 people (names, no identifier) in a four-column table and in a 70-column
        // one whose surname is its 67th column: one disclosure of 30 people, not 60. Other
        // people in the wide table make it 60 (so a wrong name key would show).
        string[] Wide(string[] narrow)
        {
            var row = Enumerable.Repeat(string.Empty, 70).ToArray();
            (row[1], row[66], row[2], row[3]) = (narrow[0], narrow[1], narrow[2], narrow[3]);
            return row;
        }

        string[] Person(int i) => [TestData.Forename(i), TestData.Surname(i), TestData.Dob(i), TestData.Postcode(i)];
        string[] header = ["Forename", "Surname", "Date of Birth", "Postcode"];
        var wideHeader = Wide(header);

        var analyzer = TestData.NewAnalyzer();
        TestData.SendTable(analyzer, s_csv, Enumerable.Range(0, 30).Select(Person).Prepend(header));
        TestData.SendTable(analyzer, new ContentLocation("/3", "wide.csv"), Enumerable.Range(secondTablePeopleFrom, 30).Select(i => Wide(Person(i))).Prepend(wideHeader));

        Assert.All(analyzer.Tables, t => Assert.Equal(30, t.PeopleCount));
        Assert.Equal(expectedPeople, analyzer.MaxPeopleCount);
    }

    [Fact]
    public void Classifier_NameKey_SameForNamesHashedAfterTheRowAndAsRead()
    {
        // A row's name cells are hashed after the row (and only when no identifier keys it) while
        // every name column is among the first 64; a name column past that has them hashed as read.
        // Either way the key is the whole name's, forename then surname, as prose hashes it, in all
        // three forms a row comes in (cells, a CSV record's ranges, a sheet row's typed ranges).
        var nameKey = ((long)DataKind.Name << 32) | (uint)CellText.FoldedHash("Tom Haddad");
        // At the plan's edge too: names in the 63rd and 64th columns (bits 62 and 63), and a name
        // in the 65th (column 64, hashed as read).
        foreach (var (forename, surname, width) in new[] { (1, 2, 3), (1, 66, 70), (65, 66, 70), (2, 1, 3), (62, 63, 64), (63, 64, 65) })
        {
            var tallies = new TallySet(5);
            var cells = new TableCellClassifier(s_csv, tallies, new TableDates(new DateOnly(2026, 1, 1)), MailboxDomains.Default);
            var columns = Enumerable.Range(0, width).Select(i => new TableColumn(i) { Kind = i == forename || i == surname ? DataKind.Name : DataKind.NotPersonal }).ToArray();
            cells.Columns = columns;
            var texts = Enumerable.Range(0, width).Select(i => i == forename ? " Tom" : i == surname ? "Haddad " : "").ToArray();
            var expected = forename < surname ? nameKey : ((long)DataKind.Name << 32) | (uint)CellText.FoldedHash("Haddad Tom");

            cells.BeginRow(wantKeys: true, wantNameKey: true);
            cells.ClassifyCells(1, texts.Select(t => t.Length == 0 ? Cell.Empty : Cell.FromText(t)).ToArray());
            Assert.Equal(expected, cells.RowKey);

            var chars = string.Concat(texts);
            var fields = new FieldSpan[width];
            for (int i = 0, at = 0; i < width; at += texts[i].Length, i++)
            {
                fields[i] = new FieldSpan(at, texts[i].Length);
            }

            cells.BeginRow(wantKeys: true, wantNameKey: true);
            cells.ClassifyFields(1, chars, fields);
            Assert.Equal(expected, cells.RowKey);

            cells.BeginRow(wantKeys: true, wantNameKey: true);
            cells.ClassifyTypedFields(1, chars, fields, texts.Select(t => t.Length == 0 ? Cell.Empty : Cell.FromText(t)).ToArray());
            Assert.Equal(expected, cells.RowKey);
        }
    }

    [Theory]
    [InlineData(TableSummariser.RepeatedMaxDistinct, false)]
    [InlineData(TableSummariser.RepeatedMaxDistinct + 1, true)]
    public void ContactColumn_AtMostRepeatedMaxDistinctValues_IsAHandfulRepeated(int distinctPhones, bool peoplesOwn)
    {
        // 200 people with a phone column: with 25 numbers among them it is a few office lines
        // (business contact data, not the people's own), with 26 it is theirs. Distinct values are
        // kept only to the 26th, which is exactly what settles it.
        var rows = Enumerable.Range(0, 200).Select(i => new[]
        {
            $"{TestData.Forename(i)} {TestData.Surname(i)}",
            $"020 7946 {i % distinctPhones:D4}",
            TestData.Postcode(i),
        });
        var analyzer = TestData.NewAnalyzer();
        TestData.SendTable(analyzer, s_csv, rows.Prepend(["Name", "Phone", "Postcode"]));

        var kinds = Assert.Single(analyzer.Tables).PersonalKinds;
        Assert.Equal(peoplesOwn, kinds.Contains(DataKind.Phone));
    }

    [Theory]
    [InlineData("7", 7d)]
    [InlineData("0", 0d)]
    [InlineData("007", 7d)]
    [InlineData("00", 0d)]
    [InlineData("1.5E3", 1500d)]
    [InlineData(" 42 ", 42d)]
    [InlineData("12", 12.4)]
    [InlineData("12", 13d)]
    [InlineData("-3", -3d)]
    [InlineData("123456789012345", 123456789012345d)]
    [InlineData("1234567890123456", 1234567890123456d)]
    [InlineData("9.43E+09", 9430000000d)]
    public void NumberText_AsTheNumberFormatted_WhenWhole(string written, double number)
    {
        // The text a number cell is checked as: its whole value formatted, else the text as written;
        // a text that already is those digits is taken as it is (and must be the same).
        string expected = number >= 0 && number < 1e15 && Math.Floor(number) == number
            ? ((long)number).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : written;
        Assert.Equal(expected, CellText.NumberText(number, new char[24], written).ToString());
    }
}

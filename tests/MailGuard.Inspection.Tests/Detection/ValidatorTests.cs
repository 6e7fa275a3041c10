using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

public class UkNinoTests
{
    [Theory]
    [InlineData("AB123456C")]
    [InlineData("AB 12 34 56 C")]
    [InlineData("AB 123456 C")]
    [InlineData("JG103759A")]
    [InlineData("ZX 99 88 77 D")]
    [InlineData("AB-12-34-56-C")]
    [InlineData("AB-123456-C")]
    [InlineData("AB123456-C")]
    [InlineData("AB.12.34.56.C")]
    public void IsValid_WellFormed_True(string value) => Assert.True(UkNino.IsValid(value));

    [Theory]
    [InlineData("DA123456C")] // first letter D (HMRC NIM39110)
    [InlineData("FA123456C")]
    [InlineData("IA123456C")]
    [InlineData("QA123456C")]
    [InlineData("UA123456C")]
    [InlineData("VA123456C")]
    [InlineData("AD123456C")] // second letter D
    [InlineData("AO123456C")] // second letter O
    [InlineData("AQ123456C")]
    [InlineData("BG123456C")] // never-allocated prefixes
    [InlineData("GB123456C")]
    [InlineData("KN123456C")]
    [InlineData("NK123456C")]
    [InlineData("NT123456C")]
    [InlineData("TN123456C")] // temporary numbers
    [InlineData("ZZ123456C")]
    [InlineData("AB123456E")] // suffix only A-D
    [InlineData("AB000000C")] // all-zero digits
    [InlineData("AB12345C")] // five digits
    [InlineData("AB1234567C")] // seven digits
    [InlineData("AB  123456C")]
    [InlineData("AB--12-34-56-C")] // one separator at a time
    [InlineData("AB-12 34-56 C")] // one kind of separator in a value
    [InlineData("AB.12-34.56.C")]
    [InlineData("AB..12.34.56.C")]
    [InlineData("AB_12_34_56_C")]
    [InlineData("AB123456")] // no suffix: needs context, not valid alone
    public void IsValid_BreaksARule_False(string value) => Assert.False(UkNino.IsValid(value));

    [Fact]
    public void TryParse_NoSuffix_ParsesWithoutSuffix()
    {
        Span<char> compact = stackalloc char[9];
        Assert.True(UkNino.TryParse("AB 12 34 56", compact, out var hasSuffix));
        Assert.False(hasSuffix);
        Assert.Equal("AB123456 ", compact.ToString());
    }

    [Fact]
    public void TryParse_LowerCaseWithIgnoreCase_Parses()
    {
        Span<char> compact = stackalloc char[9];
        Assert.False(UkNino.TryParse("ab123456c", compact, out _));
        Assert.True(UkNino.TryParse("ab123456c", compact, out var hasSuffix, ignoreCase: true));
        Assert.True(hasSuffix);
        Assert.Equal("AB123456C", compact.ToString());
    }
}

public class NhsNumberTests
{
    [Theory]
    [InlineData("9434765919")]
    [InlineData("943 476 5919")]
    [InlineData("943-476-5919")]
    [InlineData("9990000018")]
    [InlineData("4820096753")]
    public void IsValid_PassesModulus11_True(string value) => Assert.True(NhsNumber.IsValid(value));

    [Theory]
    [InlineData("9434765918")] // wrong check digit
    [InlineData("943 476 5918")]
    [InlineData("943 476-5919")] // mixed separators
    [InlineData("94 3476 5919")] // not 3-3-4
    [InlineData("1111111111")] // all same digit
    [InlineData("0000000000")]
    [InlineData("943476591")]
    [InlineData("94347659190")]
    public void IsValid_Invalid_False(string value) => Assert.False(NhsNumber.IsValid(value));

    [Fact]
    public void IsValidDigits_CheckDigitWouldBeTen_False()
    {
        // 000000006x: sum = 6*2 = 12, 12 mod 11 = 1, check = 10 -> no valid number (NHS Data Dictionary).
        for (var d = 0; d <= 9; d++)
        {
            Assert.False(NhsNumber.IsValidDigits("000000006" + d));
        }
    }

    [Theory]
    [InlineData("9990000018", true)]
    [InlineData("9434765919", false)]
    public void IsTestRange_999Prefix_Flags(string digits, bool expected) => Assert.Equal(expected, NhsNumber.IsTestRange(digits));
}

public class PaymentCardTests
{
    [Theory]
    [InlineData("4111 1111 1111 1111")] // Visa test card
    [InlineData("4111-1111-1111-1111")]
    [InlineData("4111111111111111")]
    [InlineData("5555 5555 5555 4444")] // Mastercard
    [InlineData("2223 0031 2200 3222")] // Mastercard 2-series
    [InlineData("3782 822463 10005")] // American Express
    [InlineData("6011 1111 1111 1117")] // Discover
    [InlineData("3530 1113 3330 0000")] // JCB
    [InlineData("3056 9309 0259 04")] // Diners Club
    public void IsValid_PublishedTestNumbers_True(string value) => Assert.True(PaymentCard.IsValid(value));

    [Theory]
    [InlineData("4111 1111 1111 1112")] // Luhn fails
    [InlineData("1234 5678 9012 3452")] // passes Luhn? no issuer 1
    [InlineData("0000 0000 0000 0000")] // all same digit
    [InlineData("4444 4444 4444 4444")]
    [InlineData("9111 1111 1111 1115")] // unknown issuer
    [InlineData("4111 1111 1111 111")] // Visa with 15 digits
    [InlineData("4111  1111 1111 1111")]
    public void IsValid_Invalid_False(string value) => Assert.False(PaymentCard.IsValid(value));
}

public class IbanTests
{
    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 32")] // ISO 13616 / ECBS example
    [InlineData("GB82WEST12345698765432")]
    [InlineData("DE89 3704 0044 0532 0130 00")]
    [InlineData("FR14 2004 1010 0505 0001 3M02 606")]
    [InlineData("NL91 ABNA 0417 1643 00")]
    [InlineData("gb82 west 1234 5698 7654 32")]
    public void IsValid_RegistryExamples_True(string value) => Assert.True(Iban.IsValid(value));

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 33")] // mod 97 fails
    [InlineData("GB82 WEST 1234 5698 7654")] // wrong length for GB
    [InlineData("XX82 WEST 1234 5698 7654 32")] // unknown country
    [InlineData("DE89 3704 0044 0532 0130 0")]
    public void IsValid_Invalid_False(string value) => Assert.False(Iban.IsValid(value));
}

public class UkPostcodeTests
{
    [Theory]
    [InlineData("SW1A 1AA")]
    [InlineData("EC1A 1BB")]
    [InlineData("GIR 0AA")]
    [InlineData("LS6 3QT")]
    [InlineData("M1 1AE")]
    [InlineData("B33 8TH")]
    [InlineData("CR2 6XH")]
    [InlineData("DN55 1PT")]
    [InlineData("W1A 0AX")]
    [InlineData("SW1A1AA")]
    public void IsValid_OfficialFormats_True(string value) => Assert.True(UkPostcode.IsValid(value));

    [Theory]
    [InlineData("Q1 1AA")] // Q never first
    [InlineData("V1 1AA")]
    [InlineData("X1 1AA")]
    [InlineData("AI1 1AA")] // I never second
    [InlineData("LS6 3CT")] // C never in the inward code
    [InlineData("LS6 3QI")]
    [InlineData("W1I 1AA")] // I not allowed third
    [InlineData("EC1Z 1BB")] // Z not allowed fourth
    [InlineData("LS6 33T")]
    [InlineData("GIR 0AB")]
    [InlineData("ls6 3qt")] // callers upper-case cells; prose postcodes are capitals
    public void IsValid_Invalid_False(string value) => Assert.False(UkPostcode.IsValid(value));
}

public class UkPhoneTests
{
    [Theory]
    [InlineData("07700 900123", true)]
    [InlineData("07700900123", true)]
    [InlineData("+44 7700 900123", true)]
    [InlineData("+447700900123", true)]
    [InlineData("0044 7700 900123", true)]
    [InlineData("020 7946 0123", true)]
    [InlineData("+44 (0)20 7946 0123", true)]
    [InlineData("(0113) 496 0123", true)]
    [InlineData("0113 496 0123", true)]
    [InlineData("0300 123 4567", true)]
    [InlineData("0800 123456", true)]
    [InlineData("0808 157 0123", true)]
    [InlineData("07700 90012", false)] // too short
    [InlineData("07700 9001234", false)] // too long
    [InlineData("020 7946 012", false)]
    [InlineData("0600 123 4567", false)] // 06 not allocated
    [InlineData("+33 1 23 45 67 89", false)] // not UK
    [InlineData("+44 07700 900123", false)] // trunk 0 after +44
    public void IsValid_UkNumbers_MatchesNumberingPlan(string value, bool expected) => Assert.Equal(expected, UkPhone.IsValid(value));
}

public class EmailAddressTests
{
    [Theory]
    [InlineData("jane.doe@example.com", true)]
    [InlineData("j.o'neil+tag@mail.example.org", true)]
    [InlineData("a@b.co", true)]
    [InlineData("jane@@example.com", false)]
    [InlineData("jane@example", false)]
    [InlineData(".jane@example.com", false)]
    [InlineData("jane..doe@example.com", false)]
    [InlineData("jane@-example.com", false)]
    [InlineData("jane@example.c0m", false)]
    public void IsValid_Addresses_Expected(string value, bool expected) => Assert.Equal(expected, EmailAddress.IsValid(value));

    [Theory]
    [InlineData("info@example.com", true)]
    [InlineData("enquiries.leeds@example.com", true)]
    [InlineData("jane.doe@example.com", false)]
    public void IsRoleAddress_Mailboxes_Expected(string value, bool expected) => Assert.Equal(expected, EmailAddress.IsRoleAddress(value));
}

public class DateValueTests
{
    [Theory]
    [InlineData("14/03/1987")]
    [InlineData("1987-03-14")]
    [InlineData("14-Mar-1987")]
    [InlineData("14 March 1987")]
    [InlineData("14th March 1987")]
    [InlineData("14.03.1987")]
    [InlineData("March 14, 1987")]
    [InlineData("14-03-1987")]
    [InlineData("1987-03-14T00:00:00")]
    [InlineData("14/03/1987 00:00")]
    [InlineData("03/14/1987")] // only the month-first reading is a date
    public void TryParse_UkFormats_ParsesSameDate(string value)
    {
        Assert.True(DateValue.TryParse(value, out var date));
        Assert.Equal(new DateOnly(1987, 3, 14), date);
    }

    [Theory]
    [InlineData("31/02/1987")]
    [InlineData("1987-02-31")]
    [InlineData("1987-13-01")]
    [InlineData("14/03/19a7")]
    [InlineData("14/13/1987")]
    [InlineData("14 Marchember 1987")]
    [InlineData("1987")]
    [InlineData("12.50")]
    [InlineData("14/03/87")] // two-digit years only when asked
    public void TryParse_NotADate_False(string value) => Assert.False(DateValue.TryParse(value, out _));

    [Fact]
    public void TryParse_TwoDigitYearAllowed_UsesPastCentury()
    {
        Assert.True(DateValue.TryParse("14/03/87", out var date, allowTwoDigitYear: true, reference: new DateOnly(2026, 11, 21)));
        Assert.Equal(new DateOnly(1987, 3, 14), date);
        Assert.True(DateValue.TryParse("14/03/19", out date, allowTwoDigitYear: true, reference: new DateOnly(2026, 11, 21)));
        Assert.Equal(2019, date.Year);
    }

    [Theory]
    [InlineData(1987, true)]
    [InlineData(1910, true)]
    [InlineData(1900, false)] // over 120 years before the reference
    [InlineData(2027, false)] // future
    public void IsPlausibleBirthDate_Age_Expected(int year, bool expected) =>
        Assert.Equal(expected, DateValue.IsPlausibleBirthDate(new DateOnly(year, 3, 14), new DateOnly(2026, 11, 21)));
}

public class DateValueDayNumberTests
{
    [Fact]
    public void DayNumber_EveryDateFrom1800To2200_MatchesDateOnly()
    {
        for (var d = new DateOnly(1800, 1, 1); d <= new DateOnly(2200, 12, 31); d = d.AddDays(1))
        {
            Assert.Equal(d.DayNumber, DateValue.DayNumber(d.Year, d.Month, d.Day, DateTime.IsLeapYear(d.Year)));
        }
    }

    [Fact]
    public void Placeholders_EveryCaseOfEachWord_AndEveryCharacterInEachPosition()
    {
        // A cell that says nothing is known: "n/a", "None", "TBC". Every upper/lower mix of each
        // word, and each word with one character replaced by every character of the first two
        // Unicode blocks (and three that case-fold to ASCII letters), against a case-insensitive
        // compare with the list.
        string[] words = ["-", "?", "0", "--", "na", "n/a", "nil", "tbc", "none", "null", "#n/a", "unknown", "not known"];
        static bool Listed(string text) => text is "-" or "?" or "0" or "--"
            || new[] { "na", "n/a", "nil", "tbc", "none", "null", "#n/a", "unknown", "not known" }.Any(w => text.Equals(w, StringComparison.OrdinalIgnoreCase));
        var characters = Enumerable.Range(1, 511).Select(i => (char)i).Concat(['\u0131', '\u017F', '\u212A']).ToArray();
        foreach (var word in words)
        {
            for (var mix = 0; mix < 1 << word.Length; mix++)
            {
                var text = new string(word.Select((c, k) => ((mix >> k) & 1) == 1 ? char.ToUpperInvariant(c) : c).ToArray());
                Assert.True(CellText.IsPlaceholder(text), text);
            }

            for (var at = 0; at < word.Length; at++)
            {
                foreach (var c in characters)
                {
                    var text = word[..at] + c + word[(at + 1)..];
                    Assert.True(Listed(text) == CellText.IsPlaceholder(text), text);
                }
            }
        }

        foreach (var name in new[] { "Noah", "Nia", "Tom", "Ted", "Una", "Nell", "Nick", "Toby" })
        {
            Assert.False(CellText.IsPlaceholder(name), name);
        }
    }

    [Fact]
    public void FixedShapes_EveryDateFrom1800To2200_AndEveryBadDayAndMonth()
    {
        for (var d = new DateOnly(1799, 12, 1); d <= new DateOnly(2201, 1, 31); d = d.AddDays(1))
        {
            DateOnly? expected = d.Year is >= 1800 and <= 2200 ? d : null;
            foreach (var format in new[] { "dd/MM/yyyy", "dd.MM.yyyy", "dd-MM-yyyy", "yyyy-MM-dd" })
            {
                var text = d.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(expected == (DateValue.TryParse(text, out var parsed) ? parsed : null), text);
            }
        }

        // Days 0-39 of months 0-19 in leap and common years (1900 and 2100 are not leap, 2000 is):
        // a month past 12 with a day up to 12 is read the American way round; nothing else invalid passes.
        foreach (var year in new[] { 1800, 1900, 1904, 2000, 2001, 2024, 2100, 2200 })
        {
            for (var month = 0; month < 20; month++)
            {
                for (var day = 0; day < 40; day++)
                {
                    var (d, m) = month > 12 && day <= 12 ? (month, day) : (day, month);
                    DateOnly? expected = m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(year, m) ? new DateOnly(year, m, d) : null;
                    var text = $"{day:D2}/{month:D2}/{year}";
                    Assert.True(expected == (DateValue.TryParse(text, out var parsed) ? parsed : null), text);
                }
            }
        }

        // A non-digit anywhere in either shape is not read by the fixed reader.
        foreach (var text in new[] { "1x/03/1987", "14/0x/1987", "14/03/19x7", "14/03/198x", "x987-03-14", "1987-x3-14", "1987-03-1x" })
        {
            Assert.False(DateValue.TryParse(text, out _), text);
        }
    }

    [Fact]
    public void ValidatorLetterRules_AgreeWithTheirDefinitions()
    {
        // The NI-number and postcode letter rules are bit masks; check them against the
        // published rules for every character of the first two Unicode blocks.
        static bool Upper(char c) => c is >= 'A' and <= 'Z';
        for (var c = (char)0; c < 512; c++)
        {
            for (var c2 = (char)0; c2 < 512; c2++)
            {
                var expected = Upper(c) && c is not ('D' or 'F' or 'I' or 'Q' or 'U' or 'V')
                    && Upper(c2) && c2 is not ('D' or 'F' or 'I' or 'O' or 'Q' or 'U' or 'V')
                    && (c, c2) is not (('B', 'G') or ('G', 'B') or ('K', 'N') or ('N', 'K') or ('N', 'T') or ('T', 'N') or ('Z', 'Z'));
                Assert.Equal(expected, UkNino.IsValidPrefix(c, c2));
            }

            var digit = char.IsAsciiDigit(c);
            Assert.Equal(Upper(c) && c is not ('C' or 'I' or 'K' or 'M' or 'O' or 'V'), UkPostcode.IsValid($"SW1A 1A{c}"));
            Assert.Equal(Upper(c) && c is not ('C' or 'I' or 'K' or 'M' or 'O' or 'V'), UkPostcode.IsValid($"SW1A 1{c}A"));
            Assert.Equal(Upper(c) && c is not ('Q' or 'V' or 'X'), UkPostcode.IsValid($"{c}1 1AA"));
            Assert.Equal(digit || (Upper(c) && c is not ('I' or 'J' or 'Z')), UkPostcode.IsValid($"A{c}1 1AA"));
            Assert.Equal(digit || c is 'A' or 'B' or 'C' or 'D' or 'E' or 'F' or 'G' or 'H' or 'J' or 'K' or 'P' or 'S' or 'T' or 'U' or 'W', UkPostcode.IsValid($"A1{c} 1AA"));
            Assert.Equal(digit || c is 'A' or 'B' or 'E' or 'H' or 'M' or 'N' or 'P' or 'R' or 'V' or 'W' or 'X' or 'Y', UkPostcode.IsValid($"AA1{c} 1AA"));
        }
    }

    [Fact]
    public void CaseFolding_AnswersAsUpperCasingByTheCultureRulesFirst()
    {
        // A table cell's postcode and NI number are read in either case by folding ASCII letters
        // as they are read; every character of the first two Unicode blocks (and three outside
        // them that upper-case to ASCII letters or are one) in every position of each shape must
        // answer as upper-casing the whole text by the invariant culture and then checking it.
        string[] postcodes = ["sw1a 1aa", "SW1A1AA", "m1 1ae", "Gir 0aA", "b33 8th", "cr2 6xh", "dn55 1pt", "w1a 0ax", "ec1a1bb"];
        string[] ninos = ["ab123456c", "QQ 12 34 56 a", "ce 123456 d", "ab123456", "ZY987654B"];
        var extra = new[] { '\u0131', '\u017F', '\u212A' };
        var buffer = new char[16];
        var upperBuffer = new char[16];
        static bool UpperThenValid(string text) => text.Length is >= 5 and <= 8 && UkPostcode.IsValid(text.ToUpperInvariant());
        foreach (var c in Enumerable.Range(0, 512).Select(i => (char)i).Concat(extra))
        {
            foreach (var template in postcodes)
            {
                for (var at = 0; at < template.Length; at++)
                {
                    var text = template[..at] + c + template[(at + 1)..];
                    Assert.True(UpperThenValid(text) == CellText.IsPostcode(text), $"postcode {text}");
                }

                Assert.Equal(UpperThenValid($" {template}"), CellText.IsPostcode($" {template}"));
            }

            foreach (var template in ninos)
            {
                for (var at = 0; at < template.Length; at++)
                {
                    var text = template[..at] + c + template[(at + 1)..];
                    var folded = UkNino.TryParse(text, buffer, out var foldedSuffix, ignoreCase: true);
                    var upper = UkNino.TryParse(text.ToUpperInvariant(), upperBuffer, out var upperSuffix);
                    Assert.True(folded == upper && foldedSuffix == upperSuffix, $"NI number {text}");
                    if (folded)
                    {
                        Assert.Equal(new string(upperBuffer, 0, 9), new string(buffer, 0, 9));
                    }
                }
            }
        }
    }
}

/// <summary>GB driving licence numbers: the DVLA layout, and the date of birth in it.</summary>
public class DrivingLicenceTests
{
    [Theory]
    [InlineData("MORGA753116SM9IJ")] // the DVLA's own example
    [InlineData("MORGA 753116 SM9IJ")] // as printed, in three groups
    [InlineData("morga753116sm9ij")]
    [InlineData("LI999706154A99AB")] // a two-letter surname padded with 9s, one initial
    [InlineData("SMITH862292JA9XY")] // a woman's month (62: December)
    public void DrivingLicence_WellFormed_True(string value) => Assert.True(UkDrivingLicence.TryParse(value, new char[UkDrivingLicence.Length]));

    [Theory]
    [InlineData("MORGA713116SM9IJ")] // month 13
    [InlineData("MORGA763116SM9IJ")] // month 63
    [InlineData("MORGA705006SM9IJ")] // day 00
    [InlineData("MORGA703326SM9IJ")] // day 32
    [InlineData("MO9GA753116SM9IJ")] // a letter after the surname's padding
    [InlineData("1ORGA753116SM9IJ")] // a digit for the surname's first letter
    [InlineData("MORGA7531169M9IJ")] // a 9 for the first initial (only the second may be missing)
    [InlineData("MORGA753116SM9I")] // 15 characters
    [InlineData("MORGA753116SM9IJK")] // 17 characters
    [InlineData("MORGA-753116-SM9IJ")]
    public void DrivingLicence_Malformed_False(string value) => Assert.False(UkDrivingLicence.TryParse(value, new char[UkDrivingLicence.Length]));
}

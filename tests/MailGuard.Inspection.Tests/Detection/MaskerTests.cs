using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

public class MaskerTests
{
    [Theory]
    [InlineData("AB123456C", "AB****56C")]
    [InlineData("AB 12 34 56 C", "AB****56C")]
    [InlineData("ab123456c", "AB****56C")]
    public void Nino_AnySpacing_KeepsPrefixLastTwoDigitsAndSuffix(string value, string expected) => Assert.Equal(expected, Masker.Nino(value));

    [Fact]
    public void Email_Address_KeepsFirstLetterAndDomain() => Assert.Equal("j***@example.com", Masker.Email("jane.doe@example.com"));

    [Fact]
    public void Date_AnyDate_KeepsDayAndCentury() => Assert.Equal("14/**/19**", Masker.Date(new DateOnly(1987, 3, 14)));

    [Fact]
    public void Nhs_Digits_KeepsFirstThreeAndLastTwo() => Assert.Equal("943 *** **19", Masker.Nhs("9434765919"));

    [Fact]
    public void Card_SixteenDigits_KeepsSchemeDigitAndLastFour() => Assert.Equal("4*** **** **** 1111", Masker.Card("4111111111111111"));

    [Theory]
    [InlineData("07700 900123", "07700 ***123")]
    [InlineData("07700900123", "07700***123")]
    public void Phone_Mobile_KeepsRangeAndLastThree(string value, string expected) => Assert.Equal(expected, Masker.Phone(value));

    [Theory]
    [InlineData("LS6 3QT", "LS6 ***")]
    [InlineData("sw1a1aa", "SW1A ***")]
    public void Postcode_Any_KeepsOutwardCode(string value, string expected) => Assert.Equal(expected, Masker.Postcode(value));

    [Fact]
    public void Iban_Gb_KeepsCountryCheckAndLastFour() => Assert.Equal("GB82 **** **** **** **54 32", Masker.Iban("GB82WEST12345698765432"));

    [Fact]
    public void Address_Line_MasksNumberAndNameKeepsStreetType() => Assert.Equal("** A***** Road", Masker.Address("12 Acacia Road"));

    [Fact]
    public void Generic_LongValue_KeepsEnds() => Assert.Equal("A*******9", Masker.Generic("A12345679"));
}

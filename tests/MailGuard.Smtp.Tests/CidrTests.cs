using System.Net;

namespace MailGuard.Smtp.Tests;

public sealed class CidrTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.0/24", "192.168.1.255", true)]
    [InlineData("192.168.1.0/24", "192.168.2.0", false)]
    [InlineData("192.168.1.7/32", "192.168.1.7", true)]
    [InlineData("192.168.1.7", "192.168.1.8", false)]
    [InlineData("192.168.1.7", "192.168.1.7", true)]
    [InlineData("172.16.0.0/12", "172.31.255.255", true)]
    [InlineData("172.16.0.0/12", "172.32.0.0", false)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.1", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("2001:db8::/32", "10.0.0.1", false)]
    [InlineData("2001:db8::1", "2001:db8::1", true)]
    [InlineData("2001:db8::1", "2001:db8::2", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.1.2.3", true)]
    [InlineData("::ffff:10.0.0.0/104", "11.1.2.3", false)]
    [InlineData("10.1.2.3/8", "10.9.9.9", true)]
    [InlineData(" 10.0.0.0/8 ", "10.9.9.9", true)]
    public void ContainsAny_Address_MatchesPrefix(string network, string address, bool expected)
    {
        Assert.Equal(expected, Cidr.ContainsAny([Cidr.Parse(network)], IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("::/0", false)]
    [InlineData("2a00::/13", false)]
    [InlineData("::ffff:0:0/95", true)]
    [InlineData("42.0.0.0/8", true)]
    public void ContainsAny_MappedPeer_ComparedAsIPv4(string network, bool expected)
    {
        // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; they are IPv4 clients and match
        // IPv4 networks only, whatever IPNetwork.Contains does with mapped addresses in this runtime
        // (dotnet/runtime#131861: 2a00::/13 claimed ::ffff:42.42.42.42).
        Assert.Equal(expected, Cidr.ContainsAny([Cidr.Parse(network)], IPAddress.Parse("::ffff:42.42.42.42")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("10.0.0.0/0008")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0/8")]
    [InlineData("10/8")]
    [InlineData("127.1/8")]
    [InlineData("2001:db8::/129")]
    [InlineData("example.com/24")]
    public void TryParse_Invalid_ReturnsFalse(string? text)
    {
        Assert.False(Cidr.TryParse(text, out _));
    }

    [Theory]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("192.168.1.7", "192.168.1.7/32")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("::ffff:10.1.2.3/104", "10.0.0.0/8")]
    [InlineData("::ffff:0:0/90", "0.0.0.0/0")]
    public void Parse_Valid_NormalizedNetwork(string text, string expected)
    {
        Assert.Equal(expected, Cidr.Parse(text).ToString());
    }

    [Fact]
    public void Parse_Invalid_FormatException()
    {
        Assert.Throws<FormatException>(() => Cidr.Parse("10.0.0/8"));
    }
}

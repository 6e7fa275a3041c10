using System.Net;

namespace MailGuard.Smtp.Tests;

public sealed class IpNetworkTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.0/24", "192.168.1.255", true)]
    [InlineData("192.168.1.0/24", "192.168.2.0", false)]
    [InlineData("192.168.1.7/32", "192.168.1.7", true)]
    [InlineData("192.168.1.7", "192.168.1.8", false)]
    [InlineData("172.16.0.0/12", "172.31.255.255", true)]
    [InlineData("172.16.0.0/12", "172.32.0.0", false)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.1", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("2001:db8::/32", "10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]
    [InlineData("10.1.2.3/8", "10.9.9.9", true)]
    public void Contains_Address_MatchesPrefix(string network, string address, bool expected)
    {
        Assert.Equal(expected, IpNetwork.Parse(network).Contains(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0/8")]
    [InlineData("2001:db8::/129")]
    [InlineData("example.com/24")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(IpNetwork.TryParse(text, out _));
    }

    [Fact]
    public void ToString_HostBitsCleared()
    {
        Assert.Equal("10.0.0.0/8", IpNetwork.Parse("10.1.2.3/8").ToString());
    }
}

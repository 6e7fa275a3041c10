using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailGuard.Smtp;

/// <summary>
/// CIDR lists from configuration (<c>Relay:AllowedNetworks</c>) as <see cref="IPNetwork"/>, read
/// the way Postfix reads mynetworks, where that differs from <see cref="IPNetwork.TryParse(string?, out IPNetwork)"/>.
/// </summary>
public static class Cidr
{
    /// <summary>
    /// Parses "address/length" or a bare address (a single host: /32 or /128), surrounding white
    /// space ignored. Host bits set in the address are cleared rather than rejected. IPv4 must be
    /// dotted quad: legacy forms such as "10.0.0" or "10", which <see cref="IPAddress"/> also takes,
    /// are refused in a CIDR list. An IPv4-mapped network ("::ffff:10.0.0.0/104") becomes its IPv4
    /// equivalent (10.0.0.0/8) so that IPv4 peers match it; <see cref="IPNetwork"/> would keep it
    /// IPv6, which no IPv4 address is in.
    /// </summary>
    /// <param name="value">The text; null, empty and white space give false.</param>
    /// <param name="network">The network, host bits cleared; <c>default</c> (0.0.0.0/0, which contains every IPv4 address) when false is returned, so never use it then.</param>
    public static bool TryParse([NotNullWhen(true)] string? value, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var text = value.AsSpan().Trim();
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) ||
            (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count('.') != 3))
        {
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var length = bits;
        if (slash >= 0)
        {
            var lengthText = text[(slash + 1)..];
            if (lengthText.Length is 0 or > 3 || !int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > bits)
            {
                return false;
            }
        }

        if (address.IsIPv4MappedToIPv6)
        {
            // Shorter than /96 reaches beyond the mapped block; every IPv4 address is then inside.
            address = address.MapToIPv4();
            length = Math.Max(0, length - 96);
        }

        // Since .NET 10 the constructor clears host bits (10.1.2.3/8 is 10.0.0.0/8) instead of
        // throwing (dotnet/runtime#117114), as mynetworks does; Parse_Valid_NormalizedNetwork pins it.
        network = new IPNetwork(address, length);
        return true;
    }

    /// <summary>Throwing form of <see cref="TryParse"/>, for lists validated at start-up.</summary>
    /// <exception cref="FormatException"><paramref name="value"/> is not an address or address/length.</exception>
    public static IPNetwork Parse(string value) =>
        TryParse(value, out var network) ? network : throw new FormatException($"'{value}' is not an IP network in CIDR notation.");

    /// <summary>
    /// True when a network in <paramref name="networks"/> contains <paramref name="address"/>. An
    /// IPv4-mapped address (what a dual-stack socket reports for an IPv4 peer) is compared as the
    /// IPv4 address it is, and never matches an IPv6 network: we map it ourselves rather than rely on
    /// <see cref="IPNetwork.Contains"/>, whose handling of mapped addresses changed between .NET
    /// releases (dotnet/runtime#98427, #131861).
    /// </summary>
    public static bool ContainsAny(IEnumerable<IPNetwork> networks, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in networks)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// What one client is counted as by per-client limits and throttles: an IPv4 address as itself
    /// (an IPv4-mapped one unmapped), an IPv6 address as its /64. One IPv6 host may use any address
    /// of its /64 (RFC 8981 temporary addresses), so counting single IPv6 addresses would let it
    /// take a fresh one per connection.
    /// </summary>
    public static IPAddress ClientPrefix(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}

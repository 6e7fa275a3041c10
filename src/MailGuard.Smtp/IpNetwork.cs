using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace MailGuard.Smtp;

/// <summary>
/// A CIDR block ("10.0.0.0/8", "2001:db8::/32", or a bare address meaning a single host),
/// for relay checks such as <c>Relay:AllowedNetworks</c>. IPv4-mapped IPv6 addresses
/// (::ffff:a.b.c.d, what a dual-stack socket reports for IPv4 peers) match IPv4 networks.
/// </summary>
public readonly struct IpNetwork : IEquatable<IpNetwork>
{
    private readonly byte[] _prefix;

    private IpNetwork(byte[] prefix, int prefixLength, AddressFamily family)
    {
        _prefix = prefix;
        PrefixLength = prefixLength;
        AddressFamily = family;
    }

    /// <summary>Number of leading bits that must match.</summary>
    public int PrefixLength { get; }

    /// <summary>InterNetwork or InterNetworkV6.</summary>
    public AddressFamily AddressFamily { get; }

    /// <summary>The network address with host bits cleared.</summary>
    public IPAddress BaseAddress => new(_prefix);

    /// <summary>Parses CIDR notation; host bits set in the address are cleared rather than rejected, as Postfix's mynetworks does.</summary>
    /// <exception cref="FormatException">Not an address or address/length.</exception>
    public static IpNetwork Parse(string value) =>
        TryParse(value, out var network) ? network : throw new FormatException($"'{value}' is not an IP network in CIDR notation.");

    /// <summary>Non-throwing form of <see cref="Parse"/>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out IpNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var text = value.AsSpan().Trim();
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        // IPAddress.TryParse also takes legacy forms such as "10.0.0" or "10"; a CIDR list should not.
        if (!IPAddress.TryParse(addressText, out var parsed) ||
            (parsed.AddressFamily == AddressFamily.InterNetwork && addressText.Count('.') != 3))
        {
            return false;
        }

        var parsedBits = parsed.GetAddressBytes().Length * 8;
        var length = parsedBits;
        if (slash >= 0)
        {
            var lengthText = text[(slash + 1)..];
            if (lengthText.Length is 0 or > 3 || !int.TryParse(lengthText, System.Globalization.NumberStyles.None, null, out length) || length > parsedBits)
            {
                return false;
            }
        }

        var address = Normalize(parsed);
        if (address.AddressFamily != parsed.AddressFamily)
        {
            // "::ffff:10.0.0.0/104" becomes 10.0.0.0/8, so IPv4 peers match it.
            length = Math.Max(0, length - 96);
        }

        var bytes = address.GetAddressBytes();
        ClearHostBits(bytes, length);
        network = new IpNetwork(bytes, length, address.AddressFamily);
        return true;
    }

    /// <summary>True when <paramref name="address"/> lies in this network; always false for default(IpNetwork).</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_prefix is null)
        {
            return false;
        }

        address = Normalize(address);
        if (address.AddressFamily != AddressFamily)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return false;
        }

        bytes = bytes[..written];
        var full = PrefixLength / 8;
        if (!bytes[..full].SequenceEqual(_prefix.AsSpan(0, full)))
        {
            return false;
        }

        var rest = PrefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == _prefix[full];
    }

    /// <summary>True when any of <paramref name="networks"/> contains <paramref name="address"/>.</summary>
    public static bool ContainsAny(IEnumerable<IpNetwork> networks, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(networks);
        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static void ClearHostBits(byte[] bytes, int length)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsHere = Math.Clamp(length - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsHere));
        }
    }

    /// <inheritdoc/>
    public bool Equals(IpNetwork other) =>
        PrefixLength == other.PrefixLength && AddressFamily == other.AddressFamily &&
        (_prefix ?? []).AsSpan().SequenceEqual(other._prefix ?? []);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is IpNetwork other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PrefixLength, AddressFamily, _prefix is null ? 0 : _prefix[0]);

    /// <inheritdoc/>
    public override string ToString() => _prefix is null ? string.Empty : $"{BaseAddress}/{PrefixLength}";

    public static bool operator ==(IpNetwork left, IpNetwork right) => left.Equals(right);

    public static bool operator !=(IpNetwork left, IpNetwork right) => !left.Equals(right);
}

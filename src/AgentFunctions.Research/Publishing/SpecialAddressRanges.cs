using System.Net;
using System.Net.Sockets;

namespace AgentFunctions.Research.Publishing;

/// <summary>An address's category and the range that put it there, for messages (<c>10.0.0.0/8</c>).</summary>
/// <param name="Category">The category.</param>
/// <param name="Range">The range in CIDR notation, with how it was reached for embedded IPv4 (<c>::ffff:0:0/96 holding 127.0.0.0/8</c>).</param>
internal readonly record struct AddressClass(AddressCategory Category, string Range);

/// <summary>
/// The IANA special-purpose ranges (RFC 6890 and its updates) that an outbound call must not reach by accident.
/// IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by the IPv4 address they carry,
/// because that is where the packets end up.
/// </summary>
internal static class SpecialAddressRanges
{
    private static readonly Range[] V4 =
    [
        new("0.0.0.0", 8, AddressCategory.Unspecified),
        new("10.0.0.0", 8, AddressCategory.Private),
        new("100.64.0.0", 10, AddressCategory.SharedAddressSpace),
        new("127.0.0.0", 8, AddressCategory.Loopback),
        new("169.254.0.0", 16, AddressCategory.LinkLocal),
        new("172.16.0.0", 12, AddressCategory.Private),
        new("192.0.0.0", 24, AddressCategory.Reserved),
        new("192.0.2.0", 24, AddressCategory.Reserved),
        new("192.88.99.0", 24, AddressCategory.Reserved),
        new("192.168.0.0", 16, AddressCategory.Private),
        new("198.18.0.0", 15, AddressCategory.Reserved),
        new("198.51.100.0", 24, AddressCategory.Reserved),
        new("203.0.113.0", 24, AddressCategory.Reserved),
        new("224.0.0.0", 4, AddressCategory.Multicast),
        new("240.0.0.0", 4, AddressCategory.Reserved),
    ];

    private static readonly Range[] V6 =
    [
        new("::", 128, AddressCategory.Unspecified),
        new("::1", 128, AddressCategory.Loopback),
        new("64:ff9b:1::", 48, AddressCategory.Private),
        new("100::", 64, AddressCategory.Reserved),
        new("2001::", 32, AddressCategory.Reserved),
        new("2001:db8::", 32, AddressCategory.Reserved),
        new("fc00::", 7, AddressCategory.UniqueLocal),
        new("fe80::", 10, AddressCategory.LinkLocal),
        new("fec0::", 10, AddressCategory.UniqueLocal),
        new("ff00::", 8, AddressCategory.Multicast),
    ];

    private static readonly Range Nat64 = new("64:ff9b::", 96, AddressCategory.Public);
    private static readonly Range SixToFour = new("2002::", 16, AddressCategory.Public);
    private static readonly Range Ipv4Compatible = new("::", 96, AddressCategory.Reserved);
    private static readonly Range GlobalUnicast = new("2000::", 3, AddressCategory.Public);

    public static AddressClass Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return ClassifyV4(bytes);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return new(AddressCategory.Reserved, address.AddressFamily.ToString());
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        if (address.IsIPv4MappedToIPv6)
        {
            return Embedded("::ffff:0:0/96", v6[12..]);
        }

        foreach (var range in V6)
        {
            if (range.Contains(v6))
            {
                return new(range.Category, range.Cidr);
            }
        }

        if (Nat64.Contains(v6))
        {
            return Embedded(Nat64.Cidr, v6[12..]);
        }

        if (SixToFour.Contains(v6))
        {
            return Embedded(SixToFour.Cidr, v6[2..6]);
        }

        if (Ipv4Compatible.Contains(v6))
        {
            return new(AddressCategory.Reserved, Ipv4Compatible.Cidr + " (deprecated IPv4-compatible)");
        }

        // Everything routable on the IPv6 internet today is in 2000::/3; the rest is unassigned or special.
        return GlobalUnicast.Contains(v6)
            ? new(AddressCategory.Public, GlobalUnicast.Cidr)
            : new(AddressCategory.Reserved, "outside " + GlobalUnicast.Cidr);
    }

    private static AddressClass ClassifyV4(ReadOnlySpan<byte> bytes)
    {
        foreach (var range in V4)
        {
            if (range.Contains(bytes))
            {
                return new(range.Category, range.Cidr);
            }
        }

        return new(AddressCategory.Public, "0.0.0.0/0");
    }

    private static AddressClass Embedded(string outer, ReadOnlySpan<byte> v4)
    {
        var inner = ClassifyV4(v4);
        return new(inner.Category, $"{outer} holding {new IPAddress(v4)}, {inner.Range}");
    }

    private sealed class Range
    {
        private readonly byte[] _prefix;
        private readonly int _bits;

        public Range(string network, int bits, AddressCategory category)
        {
            _prefix = IPAddress.Parse(network).GetAddressBytes();
            _bits = bits;
            Category = category;
            Cidr = $"{network}/{bits}";
        }

        public AddressCategory Category { get; }

        public string Cidr { get; }

        public bool Contains(ReadOnlySpan<byte> address)
        {
            if (address.Length != _prefix.Length)
            {
                return false;
            }

            var whole = _bits / 8;
            if (!address[..whole].SequenceEqual(_prefix.AsSpan(0, whole)))
            {
                return false;
            }

            var rest = _bits % 8;
            if (rest == 0)
            {
                return true;
            }

            var mask = (byte)(0xFF << (8 - rest));
            return (address[whole] & mask) == (_prefix[whole] & mask);
        }
    }
}

namespace AgentFunctions.Research.Publishing;

/// <summary>What kind of network an IP address belongs to, as far as outbound calls are concerned.</summary>
public enum AddressCategory
{
    /// <summary>A globally routable unicast address: the only kind a callback may reach by default.</summary>
    Public,

    /// <summary>This host: <c>127.0.0.0/8</c>, <c>::1</c>.</summary>
    Loopback,

    /// <summary>RFC 1918 private networks: <c>10.0.0.0/8</c>, <c>172.16.0.0/12</c>, <c>192.168.0.0/16</c>.</summary>
    Private,

    /// <summary>Carrier-grade NAT shared address space <c>100.64.0.0/10</c> (RFC 6598), often a cloud's internal network.</summary>
    SharedAddressSpace,

    /// <summary>IPv6 unique local addresses <c>fc00::/7</c> (and the deprecated site-local <c>fec0::/10</c>).</summary>
    UniqueLocal,

    /// <summary>Link-local: <c>169.254.0.0/16</c> (where cloud metadata services live, e.g. 169.254.169.254) and <c>fe80::/10</c>.</summary>
    LinkLocal,

    /// <summary>Multicast: <c>224.0.0.0/4</c>, <c>ff00::/8</c>.</summary>
    Multicast,

    /// <summary>The unspecified address and "this network": <c>0.0.0.0/8</c>, <c>::</c>.</summary>
    Unspecified,

    /// <summary>Reserved, documentation, benchmarking, broadcast and deprecated transition ranges: never a real receiver.</summary>
    Reserved,
}

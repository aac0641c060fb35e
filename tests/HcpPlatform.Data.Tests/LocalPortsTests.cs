using System.Globalization;
using HcpPlatform.Postgres;

namespace HcpPlatform.Data.Tests;

public sealed class LocalPortsTests
{
    [Fact]
    public void A_free_port_is_free_and_below_the_range_outgoing_connections_use()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split(['\t', ' '])[0], CultureInfo.InvariantCulture);
        var ports = Enumerable.Range(0, 20).Select(_ => LocalPorts.FindFree()).ToList();

        Assert.All(ports, port =>
        {
            Assert.InRange(port, 20000, ephemeralStart - 1);
            Assert.True(LocalPorts.IsFree(port), $"port {port} is taken");
        });
        // Picked from a random start: twenty picks do not all land on one port.
        Assert.True(ports.Distinct().Count() > 1, $"every pick was port {ports[0]}");
    }
}

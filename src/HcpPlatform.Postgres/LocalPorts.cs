using System.Net;
using System.Net.Sockets;

namespace HcpPlatform.Postgres;

/// <summary>TCP ports on 127.0.0.1, where every local cluster listens.</summary>
public static class LocalPorts
{
    /// <summary>True when nothing listens on 127.0.0.1:<paramref name="port"/> (a listener on 0.0.0.0 counts).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// A port free right now (it may be taken again before it is bound). Chosen below the kernel's ephemeral range, from a
    /// random start: a port the OS hands out for binding port 0 can become the source port of any outgoing connection before
    /// PostgreSQL binds it, and processes picking at the same moment would be handed the same ones.
    /// </summary>
    public static int FindFree()
    {
        var first = EphemeralRangeStart();
        const int lowest = 20000;
        if (first - lowest >= 1000)
        {
            var span = first - lowest;
            var start = Random.Shared.Next(span);
            for (var i = 0; i < 200; i++)
            {
                var port = lowest + (start + i) % span;
                if (IsFree(port))
                {
                    return port;
                }
            }
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var any = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return any;
    }

    /// <summary>The first port of the range the OS assigns to outgoing connections (Linux's setting; elsewhere the IANA range).</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (range.Length > 0 && int.TryParse(range[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var first))
            {
                return first;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 49152;
    }
}

using System.Net;
using System.Net.Sockets;

namespace HcpPlatform.Data.Postgres;

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

    /// <summary>A port the OS considers free right now (it may be taken again before we bind it).</summary>
    public static int FindFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

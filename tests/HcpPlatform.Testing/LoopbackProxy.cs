using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace HcpPlatform.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a test PostgreSQL, for fault injection: it forwards faithfully until told that
/// the database is <see cref="Down"/> (every connection closed, new ones closed at once) or <see cref="Hang"/>s (bytes
/// are held, not forwarded, on every connection, old and new: a server that accepts and never answers), and
/// <see cref="Restore"/> brings it back (connections made meanwhile are dropped, as after a restart).
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private enum Mode { Pass, Hang, Down }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly string _connectionString;
    private readonly ConcurrentDictionary<Guid, (TcpClient Client, TcpClient Server)> _pairs = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile Mode _mode = Mode.Pass;

    /// <summary>Starts a proxy to the server of <paramref name="connectionString"/>.</summary>
    public LoopbackProxy(string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        _targetHost = target.Host ?? "127.0.0.1";
        _targetPort = target.Port;
        _listener.Start();
        var through = new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port };
        _connectionString = through.ConnectionString;
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The same database, through the proxy.</summary>
    public string ConnectionString => _connectionString;

    /// <summary>The database is down: every connection is closed, and new ones are closed as soon as they are made.</summary>
    public void Down()
    {
        _mode = Mode.Down;
        DropAll();
    }

    /// <summary>The database hangs: connections stay open but nothing more is forwarded either way.</summary>
    public void Hang() => _mode = Mode.Hang;

    /// <summary>The database is back; connections made or held while it was away are dropped.</summary>
    public void Restore()
    {
        DropAll();
        _mode = Mode.Pass;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        if (_mode == Mode.Down)
        {
            client.Dispose();
            return;
        }
        var server = new TcpClient();
        var id = Guid.NewGuid();
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            _pairs[id] = (client, server);
            using var pair = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream(), pair.Token), PumpAsync(server.GetStream(), client.GetStream(), pair.Token));
            await pair.CancelAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // A dropped connection: what the proxy is for.
        }
        finally
        {
            _pairs.TryRemove(id, out _);
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (!ct.IsCancellationRequested)
        {
            var read = await from.ReadAsync(buffer, ct);
            if (read == 0)
            {
                return;
            }
            while (_mode == Mode.Hang)
            {
                await Task.Delay(20, ct);
            }
            if (_mode == Mode.Down)
            {
                return;
            }
            await to.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }

    private void DropAll()
    {
        foreach (var (id, pair) in _pairs)
        {
            _pairs.TryRemove(id, out _);
            pair.Client.Dispose();
            pair.Server.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}

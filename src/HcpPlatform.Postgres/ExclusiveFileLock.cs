namespace HcpPlatform.Postgres;

/// <summary>
/// A cross-process mutex: a file opened with FileShare.None (an exclusive flock on Unix). The OS drops it
/// when the holder exits, even on a crash, so a stale lock file never blocks anyone.
/// </summary>
internal sealed class ExclusiveFileLock : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);

    private readonly FileStream _stream;

    private ExclusiveFileLock(FileStream stream) => _stream = stream;

    public static async Task<ExclusiveFileLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new ExclusiveFileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another process is starting or stopping the server; it usually takes a few seconds.
                await Task.Delay(RetryInterval, ct);
            }
            catch (IOException e)
            {
                throw new TimeoutException(
                    $"Another process has held {path} for more than {timeout.TotalSeconds:0} s while starting or stopping the embedded PostgreSQL.", e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}

using System.Threading.Channels;

namespace HcpPlatform.ValidationService;

/// <summary>
/// "The dataset may have changed": raised by notifications, polls and (re)connections, consumed by
/// <see cref="ChangeValidationService"/>. Holds at most one pending signal, so a burst of changes that arrives
/// while a validation runs leads to exactly one more validation, of the newest state.
/// </summary>
public sealed class ChangeSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public void Raise() => _channel.Writer.TryWrite(true);

    public IAsyncEnumerable<bool> ReadAllAsync(CancellationToken ct) => _channel.Reader.ReadAllAsync(ct);
}

namespace HcpPlatform.Testing;

/// <summary>
/// Waiting for something to become true — the one way tests wait: the condition is checked again and again until it
/// holds, and the test fails at the deadline naming what it waited for. Never a fixed delay standing in for a condition.
/// </summary>
public static class Poll
{
    /// <summary>Time between two checks: short enough not to slow a test, long enough not to flood a database.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Checks <paramref name="condition"/> until it holds; fails the test at the deadline with <paramref name="what"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, CancellationToken ct = default)
    {
        await ValueAsync(async () => await condition() ? "" : null, what, timeout, ct);
    }

    /// <summary>Calls <paramref name="probe"/> until it returns a value, and returns it; fails the test at the deadline with <paramref name="what"/>.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan timeout, CancellationToken ct = default) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for: {what}");
            }
            await Task.Delay(Interval, ct);
        }
    }
}

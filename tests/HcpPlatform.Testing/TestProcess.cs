using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace HcpPlatform.Testing;

/// <summary>How a program run by a test ended: its exit code and everything it wrote.</summary>
public sealed record ProcessRun(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>
/// A program started by a test — the one way tests run processes. Output is captured line by line as it is written
/// (a test can wait for a line), every wait has a deadline, and the child is killed with its whole process tree when a
/// deadline passes or the test disposes it: a hung child never outlives, or hangs, the test run.
/// </summary>
public sealed class TestProcess : IAsyncDisposable
{
    /// <summary>How long a test waits for a program to finish unless it says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(4);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly Lock _gate = new();

    private TestProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Received(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Received(_stderr, e.Data);
        process.Exited += (_, _) => _ = SettleWaitersWhenOutputEndsAsync();
        process.EnableRaisingEvents = true;
    }

    /// <summary>The assembly a project of this repository builds, in the configuration of the running tests: src/&lt;project&gt;/bin/&lt;configuration&gt;/net10.0/&lt;project&gt;.dll.</summary>
    public static string BuiltDll(string project)
    {
        var here = AppContext.BaseDirectory; // tests/<test project>/bin/<configuration>/net10.0/
        var configuration = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var root = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
        return Path.Combine(root, "src", project, "bin", configuration, "net10.0", project + ".dll");
    }

    /// <summary>Starts a program; a null environment value removes that variable. Standard input is closed at once (nothing waits on a prompt).</summary>
    public static TestProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }
        var process = new Process { StartInfo = info };
        var started = new TestProcess(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return started;
    }

    /// <summary>Starts <c>dotnet &lt;project&gt;.dll</c> as built next to the tests (in its own output directory when <paramref name="inItsDirectory"/>).</summary>
    public static TestProcess StartDotnet(string project, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, bool inItsDirectory = false)
    {
        var dll = BuiltDll(project);
        return Start("dotnet", [dll, .. arguments], environment, inItsDirectory ? Path.GetDirectoryName(dll) : null);
    }

    /// <summary>Runs a program to its end within <paramref name="timeout"/> (killed, and the test failed, if it takes longer).</summary>
    public static async Task<ProcessRun> RunAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null, string? workingDirectory = null)
    {
        await using var process = Start(fileName, arguments, environment, workingDirectory);
        return await process.WaitForExitAsync(timeout);
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits until the program writes a line (to either stream) that matches; fails if it exits first or the deadline passes.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what, TimeSpan timeout)
    {
        TaskCompletionSource<string> found = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = (_stdout + "\n" + _stderr).Split('\n').FirstOrDefault(match);
            if (seen is not null)
            {
                return seen;
            }
            _waiters.Add((match, found));
        }
        if (_process.HasExited)
        {
            _ = SettleWaitersWhenOutputEndsAsync();
        }
        var done = await Task.WhenAny(found.Task, Task.Delay(timeout));
        if (done != found.Task)
        {
            await KillAsync();
            throw new TimeoutException($"No line {what} within {timeout.TotalSeconds:0} s; the program was killed. Output:{Environment.NewLine}{Stdout}{Stderr}");
        }
        return await found.Task;
    }

    /// <summary>Waits for the program to end; past the deadline it is killed (with its process tree) and the wait fails.</summary>
    public async Task<ProcessRun> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"The program did not finish within {limit.TotalSeconds:0} s and was killed. Output:{Environment.NewLine}{Stdout}{Stderr}");
        }
        return new ProcessRun(_process.ExitCode, Stdout, Stderr);
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
    public async Task InterruptAsync()
    {
        var kill = await RunAsync("kill", ["-INT", Id.ToString(CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(30));
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -INT {Id} failed: {kill.Output}");
        }
    }

    /// <summary>Kills the program and its children at once (SIGKILL, as kill -9) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(wait.Token);
    }

    private void Received(StringBuilder into, string? line)
    {
        if (line is null)
        {
            return;
        }
        List<TaskCompletionSource<string>> matched;
        lock (_gate)
        {
            into.AppendLine(line);
            matched = _waiters.Where(w => w.Match(line)).Select(w => w.Found).ToList();
            _waiters.RemoveAll(w => matched.Contains(w.Found));
        }
        foreach (var found in matched)
        {
            found.TrySetResult(line);
        }
    }

    /// <summary>Once the program has exited and its output is read to the end, answers every waiter: with its line, or with a failure.</summary>
    private async Task SettleWaitersWhenOutputEndsAsync()
    {
        await _process.WaitForExitAsync();
        List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> pending;
        string[] lines;
        lock (_gate)
        {
            pending = [.. _waiters];
            _waiters.Clear();
            lines = (_stdout + "\n" + _stderr).Split('\n');
        }
        foreach (var (match, found) in pending)
        {
            if (lines.FirstOrDefault(match) is { } line)
            {
                found.TrySetResult(line);
            }
            else
            {
                found.TrySetException(new InvalidOperationException($"The program exited before writing the line awaited. Output:{Environment.NewLine}{Stdout}{Stderr}"));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }
}

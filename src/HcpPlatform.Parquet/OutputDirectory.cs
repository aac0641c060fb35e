using System.Diagnostics;
using System.Globalization;

namespace HcpPlatform.Parquet;

/// <summary>An output folder that cannot be used: the message says which and why.</summary>
public sealed class OutputDirectoryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// An output written beside its target and moved into place whole: the files go into a hidden folder next to the target
/// (<c>.NAME.partial-PID</c>), which becomes the target by one rename when everything is written. A failure or a cancel
/// removes the folder; a killed process leaves it, and the next run for the same target removes it.
/// </summary>
public sealed class OutputDirectory : IDisposable
{
    private const string PartialMarker = ".partial-";
    private bool _committed;

    private OutputDirectory(string target, string working)
    {
        Target = target;
        Working = working;
    }

    /// <summary>Where the output goes once complete.</summary>
    public string Target { get; }

    /// <summary>Where the files are written meanwhile.</summary>
    public string Working { get; }

    /// <summary>
    /// Checks that <paramref name="target"/> can take a new output (it is not a file, not a folder with something in it,
    /// and a folder can be created beside it) and creates the working folder; <see cref="OutputDirectoryException"/> otherwise.
    /// </summary>
    public static OutputDirectory Prepare(string target)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        var name = Path.GetFileName(full);
        var parent = Path.GetDirectoryName(full);
        if (string.IsNullOrEmpty(name) || parent is null)
        {
            throw new OutputDirectoryException($"--out '{target}' is a root folder; give a new folder to write into, such as /data/hcp.");
        }
        if (File.Exists(full))
        {
            throw new OutputDirectoryException($"--out '{full}' is a file; give a folder that does not exist yet or is empty.");
        }
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            throw new OutputDirectoryException($"--out '{full}' already exists and is not empty; give a new or empty folder (the output is written beside it and moved into place when complete).");
        }
        string working;
        try
        {
            Directory.CreateDirectory(parent);
            RemoveAbandoned(parent, name);
            working = Path.Combine(parent, string.Create(CultureInfo.InvariantCulture, $".{name}{PartialMarker}{Environment.ProcessId}"));
            if (Directory.Exists(working))
            {
                Directory.Delete(working, recursive: true);
            }
            Directory.CreateDirectory(working);
            // A folder can be created where no file can (some special file systems): make sure of both.
            File.WriteAllBytes(Path.Combine(working, ".probe"), []);
            File.Delete(Path.Combine(working, ".probe"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new OutputDirectoryException($"--out '{full}' cannot be written: {e.Message} Give a folder on a writable file system.", e);
        }
        return new OutputDirectory(full, working);
    }

    /// <summary>Moves the complete output into place.</summary>
    public void Commit()
    {
        if (Directory.Exists(Target))
        {
            // Checked empty when prepared; a non-empty one now fails here rather than being replaced.
            Directory.Delete(Target, recursive: false);
        }
        Directory.Move(Working, Target);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(Working))
        {
            try
            {
                Directory.Delete(Working, recursive: true);
            }
            catch (IOException)
            {
                // Best effort; the next run for the same target removes it.
            }
        }
    }

    /// <summary>Working folders of earlier runs for the same target whose process is gone.</summary>
    private static void RemoveAbandoned(string parent, string name)
    {
        foreach (var folder in Directory.EnumerateDirectories(parent, $".{name}{PartialMarker}*"))
        {
            var pid = Path.GetFileName(folder)[(name.Length + 1 + PartialMarker.Length)..];
            if (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id != Environment.ProcessId && !IsRunning(id))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

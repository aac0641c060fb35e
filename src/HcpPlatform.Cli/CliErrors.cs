namespace HcpPlatform.Cli;

/// <summary>Exit codes: 0 success, 1 runtime or validation failure, 2 bad usage.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}

/// <summary>Bad input: printed as one line, exit code 2, nothing touched.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A failure at run time (database unreachable, validation failed): printed as one line, exit code 1.</summary>
internal sealed class CliFailureException(string message) : Exception(message);

extern alias generator;
using HcpPlatform.Testing;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>The real generator worker (its Program.cs) hosted beside the admin API on the same database, polling every 0.2 s.</summary>
internal static class GeneratorWorker
{
    public static ServiceHost<generator::Program> Start(string connectionString, string workerId)
    {
        var worker = new ServiceHost<generator::Program>(connectionString, new Dictionary<string, string?>
        {
            ["Generator:WorkerId"] = workerId,
            ["Generator:PollInterval"] = "00:00:00.2",
        });
        _ = worker.Host; // started
        return worker;
    }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HcpPlatform.Testing;

/// <summary>
/// One of the platform's services, its Program.cs as is, hosted in the test process against a test database: the one way
/// tests host a service (the platform as a whole is the AppHost's tests', with Aspire.Hosting.Testing). Settings are the
/// service's configuration, as a command line would give them; <paramref name="configureServices"/> replaces services
/// after the service's own (a clock, an exporter). Started on first use of <see cref="WebApplicationFactory{TEntryPoint}.Services"/>
/// or a client; in-memory by default (<c>UseKestrel()</c> for a real port).
/// </summary>
public class ServiceHost<TProgram>(string connectionString, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    : WebApplicationFactory<TProgram> where TProgram : class
{
    private IHost? _host;

    /// <summary>The running host (started on demand), to stop it gracefully as a shutdown of the process would.</summary>
    public IHost Host
    {
        get
        {
            _ = Services;
            return _host!;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment(Environments.Production);
        builder.UseSetting("ConnectionStrings:hcpdb", connectionString);
        // Nothing exported unless a test asks: the environment of the test run must not change what a test sees.
        builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // As under Aspire: whoever made the test database migrated it (a test of migration on start says so).
        builder.UseSetting("Database:MigrateOnStart", "false");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        _host = base.CreateHost(builder);
        return _host;
    }
}

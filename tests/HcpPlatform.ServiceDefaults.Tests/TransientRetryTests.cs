using HcpPlatform.Data;
using HcpPlatform.Data.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HcpPlatform.ServiceDefaults.Tests;

public sealed class TransientRetryTests
{
    private static readonly TransientRetryOptions Fast = new() { BaseDelay = TimeSpan.FromMilliseconds(1), MaxRetryAttempts = 5 };

    [Fact]
    public async Task RetriesTransientNpgsqlFailuresToSuccess()
    {
        var logger = new CountingLogger();
        var pipeline = TransientRetry.Create(Fast, logger);
        var calls = 0;

        var result = await pipeline.ExecuteAsync(_ =>
        {
            calls++;
            if (calls <= 2)
            {
                throw new NpgsqlException("connection reset", new IOException("reset by peer"));
            }
            return ValueTask.FromResult(42);
        });

        Assert.Equal(42, result);
        Assert.Equal(3, calls);
        Assert.Equal(2, logger.Warnings);
    }

    [Fact]
    public async Task DoesNotRetryNonTransientPostgresError()
    {
        var pipeline = TransientRetry.Create(Fast);
        var calls = 0;

        var error = await Assert.ThrowsAsync<PostgresException>(async () => await pipeline.ExecuteAsync(_ =>
        {
            calls++;
            throw new PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", "23505");
#pragma warning disable CS0162 // the lambda needs a return type
            return ValueTask.CompletedTask;
#pragma warning restore CS0162
        }));

        Assert.Equal("23505", error.SqlState);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task GivesUpAfterMaxRetryAttempts()
    {
        var pipeline = TransientRetry.Create(new TransientRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxRetryAttempts = 2 });
        var calls = 0;

        await Assert.ThrowsAsync<PostgresException>(async () => await pipeline.ExecuteAsync(_ =>
        {
            calls++;
            throw new PostgresException("could not serialize access", "ERROR", "ERROR", "40001");
#pragma warning disable CS0162
            return ValueTask.CompletedTask;
#pragma warning restore CS0162
        }));

        Assert.Equal(3, calls);
    }

    [Theory]
    [InlineData("08006", true)]
    [InlineData("08001", true)]
    [InlineData("53300", true)]
    [InlineData("57P01", true)]
    [InlineData("40001", true)]
    [InlineData("40P01", true)]
    [InlineData("23505", false)]
    [InlineData("42P01", false)]
    [InlineData("22001", false)]
    public void ClassifiesPostgresSqlStates(string sqlState, bool transient) =>
        Assert.Equal(transient, TransientRetry.IsTransient(new PostgresException("x", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void ClassifiesOtherExceptions()
    {
        Assert.True(TransientRetry.IsTransient(new TimeoutException()));
        Assert.True(TransientRetry.IsTransient(new NpgsqlException("timeout", new TimeoutException())));
        Assert.False(TransientRetry.IsTransient(new NpgsqlException("bad")));
        Assert.False(TransientRetry.IsTransient(new InvalidOperationException()));
    }

    [Fact]
    public async Task AddHcpDatabaseRegistersTheDataSourcesTheContextAndTheirHealthChecks()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        // Nothing listens on port 1: the health checks must report Unhealthy quickly, not throw.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:hcpdb"] = "Host=127.0.0.1;Port=1;Database=hcp;Username=hcp;Timeout=2",
        });
        builder.AddHcpDatabase();
        using var host = builder.Build();

        var pooled = host.Services.GetRequiredService<NpgsqlDataSource>();
        var sessions = host.Services.GetRequiredKeyedService<NpgsqlDataSource>(HcpDatabase.SessionsKey);
        Assert.NotSame(pooled, sessions);
        Assert.DoesNotContain("Pooling=false", pooled.ConnectionString, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Pooling=False", sessions.ConnectionString, StringComparison.OrdinalIgnoreCase);
        using (var scope = host.Services.CreateScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<HcpDbContext>();
            // Aspire's enrichment: EF Core retries transient failures.
            Assert.True(context.Database.CreateExecutionStrategy().RetriesOnFailure);
        }

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["PostgreSql"].Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries[nameof(HcpDbContext)].Status);
    }

    private sealed class CountingLogger : ILogger
    {
        public int Warnings { get; private set; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings++;
            }
        }
    }
}

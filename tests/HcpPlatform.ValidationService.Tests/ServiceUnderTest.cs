using System.Net;
using System.Net.Http.Json;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Validation;
using HcpPlatform.Testing;

namespace HcpPlatform.ValidationService.Tests;

/// <summary>The validation service (its Program.cs) hosted in the test process against a test database.</summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    /// <summary>300 HCPs × 2 months: a backfill takes a second or two.</summary>
    public static GenerationParameters SmallDataset { get; } = new()
    {
        Seed = 1,
        Hcps = 300,
        Months = 2,
        Scenario = "custom",
        AsOf = new DateOnly(2025, 3, 31),
        Parallelism = 2,
    };

    private readonly ServiceHost<Program> _host;

    private ServiceUnderTest(ServiceHost<Program> host)
    {
        _host = host;
        Client = host.CreateClient();
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts the service. The schedule is pinned so the environment cannot change a test; polling is
    /// off (1 h) unless <paramref name="settings"/> says otherwise, so a test that waits for a validation proves the
    /// notification path. The timed query checks are left out (Validation:Scope): these tests judge correctness, and a
    /// busy machine's timings are bench/'s business.
    /// </summary>
    public static ServiceUnderTest Start(string connectionString, IDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["OTEL_SERVICE_NAME"] = "validation-under-test",
            ["Validation:PollInterval"] = "01:00:00",
            ["Validation:ScheduleInterval"] = "00:00:00",
            ["Validation:Scope"] = nameof(ValidationScope.AllButPerformance),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }
        return new ServiceUnderTest(new ServiceHost<Program>(connectionString, all));
    }

    public async Task<StoredValidation?> LatestAsync()
    {
        using var response = await Client.GetAsync(new Uri("/validations/latest", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.NotFound ? null : await Read(response);
    }

    /// <summary>Polls GET /validations/latest until a stored validation matches, or fails at the deadline.</summary>
    public async Task<StoredValidation> WaitForValidationAsync(Func<StoredValidation, bool> match, TimeSpan deadline, string what)
    {
        StoredValidation? latest = null;
        try
        {
            return await Poll.ValueAsync(async () => (latest = await LatestAsync()) is { } v && match(v) ? v : null, $"a stored validation {what}", deadline);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"No stored validation {what} within {deadline.TotalSeconds:0} s; the latest is {(latest is null ? "none" : $"{latest.Id} ({latest.Trigger}, run {latest.GenerationRunId})")}.");
            throw;
        }
    }

    public static async Task<StoredValidation> Read(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<StoredValidation>())!;
    }

    public static string FailedChecks(StoredValidation v) =>
        string.Join("; ", v.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: measured {c.Measured}, threshold {c.Threshold}, e.g. {string.Join(" | ", c.Examples)}"));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _host.DisposeAsync();
    }
}

using System.Text.Json.Serialization;
using HcpPlatform.Data.Hosting;
using Npgsql;

namespace HcpPlatform.ValidationService.Extensions;

public static class Extensions
{
    /// <summary>
    /// The validation service's services: the database, the options, the runner, the listener for dataset changes, the
    /// change-driven and scheduled validations, and ProblemDetails for every error (a database that cannot be reached
    /// is a 503, not a 500).
    /// </summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddHcpDatabase();

        services.AddOptions<ValidationServiceOptions>().BindConfiguration(ValidationServiceOptions.SectionName);
        services.AddSingleton<ValidationRunner>();
        services.AddSingleton<ChangeSignal>();
        services.AddHostedService<DatasetChangeListener>();
        services.AddHostedService<ChangeValidationService>();
        services.AddHostedService<ScheduledValidationService>();

        services.AddProblemDetails();
        services.Configure<ExceptionHandlerOptions>(o => o.StatusCodeSelector = e =>
            e is NpgsqlException or TimeoutException ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling |= JsonNumberHandling.AllowNamedFloatingPointLiterals);
        return builder;
    }
}

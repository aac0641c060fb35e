using System.Text.Json.Serialization;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Postgres;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace HcpPlatform.ValidationService;

/// <summary>Builds the validation service: the program runs it, the tests start it in-process on a free port.</summary>
public static class ValidationServiceApp
{
    public static async Task<WebApplication> BuildAsync(string[] args, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();

        // ConnectionStrings:hcpdb (Aspire injects ConnectionStrings__hcpdb), else the shared embedded PostgreSQL.
        var connectionString = await ConnectionStringResolver.ResolveAsync(builder.Configuration, Console.Out.WriteLine, ct);
        builder.AddHcpDatabase(connectionString);
        builder.Services.AddSingleton(new ValidationDatabase(connectionString));

        builder.Services.AddOptions<ValidationServiceOptions>().Bind(builder.Configuration.GetSection(ValidationServiceOptions.SectionName));
        builder.Services.AddSingleton<ValidationRunner>();
        builder.Services.AddSingleton<ChangeSignal>();
        builder.Services.AddHostedService<DatasetChangeListener>();
        builder.Services.AddHostedService<ChangeValidationService>();
        builder.Services.AddHostedService<ScheduledValidationService>();

        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.NumberHandling |= JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });

        var app = builder.Build();
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        Log.UsingDatabase(app.Logger, target.Host, target.Port, target.Database);

        // Unhandled errors become ProblemDetails; a database that cannot be reached is a 503, not a 500.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is NpgsqlException or TimeoutException ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.MapDefaultEndpoints();
        app.MapValidationEndpoints();
        return app;
    }
}

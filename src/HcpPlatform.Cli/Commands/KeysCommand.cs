using System.CommandLine;
using System.Globalization;
using HcpPlatform.Data.Platform;
using HcpPlatform.Data.Security;
using Npgsql;
using Spectre.Console;

namespace HcpPlatform.Cli.Commands;

/// <summary>
/// <c>hcp keys create|list|revoke</c>: API keys of the admin API. A key is printed once, at creation; only its
/// SHA-256 and a short prefix are stored. This is how the first admin key is made.
/// </summary>
internal static class KeysCommand
{
    public static Command Create() => new("keys", "Manage the admin API's keys (create prints the key once; only its hash is stored).")
    {
        CreateCommand(),
        ListCommand(),
        RevokeCommand(),
    };

    private static Command CreateCommand()
    {
        var name = new Option<string>("--name") { Description = "Who or what the key is for (1–100 characters).", Required = true };
        var scope = new Option<string>("--scope")
        {
            Description = "read: every GET endpoint; admin: everything, including start/stop, config and regenerate.",
            Required = true,
        };
        scope.AcceptOnlyFromAmong([.. ApiKeyScopes.All]);
        var expires = CliOptions.Int("--expires-days", "Days until the key expires (default: never).", 1, ApiKeyStore.MaxExpiryDays);
        var json = CliOptions.Json();
        var command = new Command("create", "Create a key and print it once: store it now, it cannot be shown again.") { name, scope, expires, json };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            var errors = ApiKeyStore.Validate(r.GetValue(name), r.GetValue(scope), r.GetValue(expires));
            if (errors.Count > 0)
            {
                throw new UsageException(string.Join(" ", errors));
            }
            await using var connection = await OpenAsync(output, ct);
            var created = await ApiKeyStore.CreateAsync(connection, r.GetValue(name)!, r.GetValue(scope)!, r.GetValue(expires), ct);
            var row = created.Row;
            if (output.Json)
            {
                output.WriteJson(new { id = row.Id, name = row.Name, prefix = row.KeyPrefix, scope = row.Scope, createdAt = row.CreatedAt, expiresAt = row.ExpiresAt, key = created.Key });
            }
            else
            {
                output.Note($"Created {row.Scope} key '{row.Name}' (id {row.Id}, prefix {row.KeyPrefix}"
                    + (row.ExpiresAt is { } e ? $", expires {e:yyyy-MM-dd HH:mm} UTC)." : ", no expiry)."));
                output.Note("This is the only time the key is shown; send it as the X-Api-Key header:");
                output.Result(created.Key);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var json = CliOptions.Json();
        var command = new Command("list", "List the keys: id, name, prefix, scope, state, dates (never the keys themselves).") { json };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            await using var connection = await OpenAsync(output, ct);
            var keys = await ApiKeyStore.ListAsync(connection, ct);
            var now = DateTime.UtcNow;
            if (output.Json)
            {
                output.WriteJson(keys.Select(k => Describe(k, now)));
                return ExitCodes.Success;
            }
            output.Table(["id", "name", "prefix", "scope", "state", "created (UTC)", "expires", "last used"], keys.Select(k => new[]
            {
                k.Id.ToString(), Markup.Escape(k.Name), k.KeyPrefix, k.Scope, ApiKeyState.Of(k, now), Time(k.CreatedAt), Time(k.ExpiresAt), Time(k.LastUsedAt),
            }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RevokeCommand()
    {
        var key = new Argument<string>("id-or-prefix") { Description = "The key's id, or its prefix as 'hcp keys list' shows it." };
        var json = CliOptions.Json();
        var command = new Command("revoke", "Revoke a key: it is refused from then on (the admin API notices within seconds).") { key, json };
        command.SetAction(async (r, ct) =>
        {
            var output = new CliOutput(r.GetValue(json));
            var which = r.GetValue(key) ?? "";
            await using var connection = await OpenAsync(output, ct);
            var matches = await ApiKeyStore.RevokeAsync(connection, which, ct);
            switch (matches.Count)
            {
                case 0:
                    throw new CliFailureException($"No key has id or prefix '{which}'; 'hcp keys list' shows them.");
                case > 1:
                    throw new CliFailureException($"{matches.Count} keys have the prefix '{which}'; revoke by id: {string.Join(", ", matches.Select(m => m.Id))}.");
            }
            var revoked = matches[0];
            if (output.Json)
            {
                output.WriteJson(Describe(revoked, DateTime.UtcNow));
            }
            else
            {
                output.Result($"Revoked key '{revoked.Name}' ({revoked.KeyPrefix}, id {revoked.Id}) at {Time(revoked.RevokedAt)} UTC.");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<NpgsqlConnection> OpenAsync(CliOutput output, CancellationToken ct)
    {
        // The command's one connection; the data source ends with the process.
        var dataSource = await CliDatabase.ConnectAsync(output.Note, ct);
        return await dataSource.OpenConnectionAsync(ct);
    }

    private static object Describe(ApiKey k, DateTime now) => new
    {
        id = k.Id, name = k.Name, prefix = k.KeyPrefix, scope = k.Scope, state = ApiKeyState.Of(k, now),
        createdAt = k.CreatedAt, expiresAt = k.ExpiresAt, revokedAt = k.RevokedAt, lastUsedAt = k.LastUsedAt,
    };

    private static string Time(DateTime? t) => t is { } v ? v.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
}

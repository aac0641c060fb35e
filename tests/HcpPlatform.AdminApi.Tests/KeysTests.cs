using System.Net;
using System.Text.Json;
using HcpPlatform.Data.Security;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>Key material (shared by CLI and API), the key store, the keys endpoints and the hcp keys command end to end.</summary>
[Collection(AdminApiGroup.Name)]
public sealed class KeysTests(AdminApiFixture fixture)
{
    [Fact]
    public void Generated_keys_have_the_documented_shape_and_only_their_hash_matches()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeySecret.Generate()).ToList();
        Assert.Equal(100, keys.Distinct().Count());
        Assert.All(keys, k =>
        {
            Assert.Equal(ApiKeySecret.KeyLength, k.Length);
            Assert.True(ApiKeySecret.HasKeyShape(k));
            Assert.StartsWith("hcp_", k);
        });
        var key = keys[0];
        var hash = ApiKeySecret.Hash(key);
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))), hash);
        Assert.True(ApiKeySecret.Matches(key, hash));
        Assert.False(ApiKeySecret.Matches(keys[1], hash));
        Assert.False(ApiKeySecret.Matches(key, "not-a-hash"));
        Assert.Equal(key[..12], ApiKeySecret.PrefixOf(key));
        Assert.False(ApiKeySecret.HasKeyShape(key + "x"));
        Assert.False(ApiKeySecret.HasKeyShape("hcp_" + new string('!', 43)));
    }

    [Fact]
    public async Task The_store_keeps_only_hash_and_prefix_and_revokes_by_id_or_unique_prefix()
    {
        await using var connection = new NpgsqlConnection(await fixture.CloneAsync());
        await connection.OpenAsync();
        var created = await ApiKeyStore.CreateAsync(connection, "store test", ApiKeyScopes.Read, 7, default);
        await using (var cmd = new NpgsqlCommand("SELECT key_hash, key_prefix FROM platform.api_keys WHERE id = @id", connection))
        {
            cmd.Parameters.AddWithValue("id", created.Row.Id);
            await using var reader = await cmd.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(ApiKeySecret.Hash(created.Key), reader.GetString(0));
            Assert.Equal(created.Key[..12], reader.GetString(1));
        }
        Assert.InRange(created.Row.ExpiresAt!.Value, DateTime.UtcNow.AddDays(7).AddMinutes(-1), DateTime.UtcNow.AddDays(7).AddMinutes(1));
        Assert.Throws<ArgumentException>(() => ApiKeyStore.CreateAsync(connection, "x", "owner", null, default).GetAwaiter().GetResult());
        Assert.Throws<ArgumentException>(() => ApiKeyStore.CreateAsync(connection, "", "read", null, default).GetAwaiter().GetResult());
        Assert.Throws<ArgumentException>(() => ApiKeyStore.CreateAsync(connection, "x", "read", 0, default).GetAwaiter().GetResult());

        var revoked = await ApiKeyStore.RevokeAsync(connection, created.Key[..12], default);
        Assert.NotNull(Assert.Single(revoked).RevokedAt);
        Assert.Empty(await ApiKeyStore.RevokeAsync(connection, "hcp_nothing1", default));

        // Two keys sharing a prefix: revoking by that prefix is ambiguous and changes nothing.
        var a = await ApiKeyStore.CreateAsync(connection, "a", ApiKeyScopes.Read, null, default);
        var b = await ApiKeyStore.CreateAsync(connection, "b", ApiKeyScopes.Read, null, default);
        await using (var same = new NpgsqlCommand("UPDATE platform.api_keys SET key_prefix = 'hcp_shared00' WHERE id IN (@a, @b)", connection))
        {
            same.Parameters.AddWithValue("a", a.Row.Id);
            same.Parameters.AddWithValue("b", b.Row.Id);
            await same.ExecuteNonQueryAsync();
        }
        var ambiguous = await ApiKeyStore.RevokeAsync(connection, "hcp_shared00", default);
        Assert.Equal(2, ambiguous.Count);
        Assert.All(await ApiKeyStore.ListAsync(connection, default), k => Assert.True(k.Name is not ("a" or "b") || k.RevokedAt is null));
    }

    [Fact]
    public async Task The_keys_endpoints_show_prefixes_never_hashes_and_revoke_at_once()
    {
        var host = fixture.StartHost(await fixture.CloneAsync());
        using var admin = host.Client(fixture.Keys.Admin);
        using var reader = host.Client(fixture.Keys.Read);
        await (await reader.GetAsync("/api/admin/generation/status")).OkJsonAsync(); // loads the key cache

        var listText = await (await admin.GetAsync("/api/admin/keys")).Content.ReadAsStringAsync();
        var list = JsonDocument.Parse(listText).RootElement;
        Assert.Equal(4, list.GetArrayLength());
        Assert.DoesNotContain(ApiKeySecret.Hash(fixture.Keys.Read), listText);
        Assert.DoesNotContain(fixture.Keys.Read[12..], listText);
        Assert.DoesNotContain("hash", listText, StringComparison.OrdinalIgnoreCase);
        var states = list.EnumerateArray().ToDictionary(k => k.GetProperty("name").GetString()!, k => k.GetProperty("state").GetString());
        Assert.Equal("active", states["test read"]);
        Assert.Equal("expired", states["test expired"]);
        Assert.Equal("revoked", states["test revoked"]);

        var revoked = await (await admin.PostAsync($"/api/admin/keys/{fixture.Keys.ReadId}/revoke", null)).OkJsonAsync();
        Assert.Equal("revoked", revoked.GetProperty("state").GetString());
        var refused = await (await reader.GetAsync("/api/admin/generation/status")).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("revoked", refused.GetProperty("detail").GetString());
        await (await admin.PostAsync($"/api/admin/keys/{Guid.NewGuid()}/revoke", null)).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Hcp_keys_creates_a_key_printed_once_that_the_api_accepts_lists_it_and_revokes_it()
    {
        var connectionString = await fixture.CloneAsync();
        var host = fixture.StartHost(connectionString);

        var bad = await CliAsync(connectionString, "keys", "create", "--name", "x", "--scope", "owner");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("read", bad.Stderr);

        var created = await CliAsync(connectionString, "keys", "create", "--name", "ci reader", "--scope", "read", "--expires-days", "30");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var key = created.Stdout.Trim();
        Assert.True(ApiKeySecret.HasKeyShape(key), created.Stdout);
        Assert.Contains("only time", created.Stderr);
        Assert.DoesNotContain(key, created.Stderr);

        using var client = host.Client(key);
        await (await client.GetAsync("/api/admin/generation/status")).OkJsonAsync();
        await (await client.PostAsync("/api/admin/generation/pause", null)).ProblemAsync(HttpStatusCode.Forbidden);

        var admin = await CliAsync(connectionString, "keys", "create", "--name", "ci admin", "--scope", "admin", "--json");
        using (var json = JsonDocument.Parse(admin.Stdout))
        {
            using var adminClient = host.Client(json.RootElement.GetProperty("key").GetString());
            await (await adminClient.PostAsync("/api/admin/generation/pause", null)).OkJsonAsync();
        }

        var listed = await CliAsync(connectionString, "keys", "list");
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("ci reader", listed.Stdout);
        Assert.Contains(key[..12], listed.Stdout);
        Assert.DoesNotContain(key[12..], listed.Stdout);

        var revoke = await CliAsync(connectionString, "keys", "revoke", key[..12]);
        Assert.True(revoke.ExitCode == 0, revoke.Stderr);
        Assert.Equal(1, (await CliAsync(connectionString, "keys", "revoke", "hcp_unknown0")).ExitCode);
        // Revoked from another process: the service notices within AdminApi:KeyCacheSeconds (2 s).
        await Poll.UntilAsync(async () => (await client.GetAsync("/api/admin/generation/status")).StatusCode == HttpStatusCode.Unauthorized,
            "the revoked key to be refused", TimeSpan.FromSeconds(10));
    }

    private static Task<ProcessRun> CliAsync(string connectionString, params string[] args) =>
        TestProcess.RunAsync("dotnet", [TestProcess.BuiltDll("HcpPlatform.Cli"), .. args],
            new Dictionary<string, string?> { ["ConnectionStrings__hcpdb"] = connectionString, ["CI"] = "true" }, TimeSpan.FromMinutes(1));
}

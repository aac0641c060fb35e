using HcpPlatform.Parquet;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.Data.Tests;

/// <summary>JsonbText gives, from any JSON text, the text PostgreSQL gives back once it is stored as jsonb.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class JsonbTextTests(PostgresFixture postgres)
{
    private static readonly string[] Documents =
    [
        """{"placement": "Medscape", "format": "display", "creative": "x-v2"}""",
        """{ "b":1,"a" :2 , "aa": {"z": [3, 2,1], "y": {}}, "": null }""",
        """{"k": 1, "k": 2, "j": true, "i": false}""",
        """[1, 1.50, -0, -0.0, 0.000, 1e3, 1E-5, 2.5e+2, -1.25e-1, 12.345e1, 0.1e1, 100e-2, 9007199254740993]""",
        """["é", "\u00e9", "tab\there", "q\"uote", "back\\slash", "\/slash", "ctl\u0001", "nl\n", "€uro", "😀", "\ud83d\ude00"]""",
        """{"é": 1, "z": 2, "ä": 3, "aaa": 4, "ab": 5, "b": 6}""",
        """[]""",
        """{}""",
        """  "text"  """,
        """-12.0""",
        """[[], {}, [{"b": {"d": 1, "c": 2}}]]""",
        """{"EGFR": 0.2345, "competitor_a": 0.4, "competitor_b": -0}""",
    ];

    [Fact]
    public async Task Normalized_json_equals_postgresqls_jsonb_text()
    {
        await using var c = new NpgsqlConnection(await postgres.CreateDatabaseAsync());
        await c.OpenAsync();
        foreach (var json in Documents)
        {
            await using var cmd = new NpgsqlCommand("SELECT $1::jsonb::text", c) { Parameters = { new() { Value = json } } };
            Assert.Equal((string)(await cmd.ExecuteScalarAsync())!, JsonbText.Normalize(json));
        }
        Assert.Null(JsonbText.Normalize(null));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"a\" 1}")]
    [InlineData("[1,]")]
    [InlineData("01")]
    [InlineData("\"open")]
    [InlineData("[1] 2")]
    public void Text_that_is_not_json_is_refused(string text) => Assert.Throws<FormatException>(() => JsonbText.Normalize(text));
}

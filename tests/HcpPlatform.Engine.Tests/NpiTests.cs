using HcpPlatform.Engine.Generators;

namespace HcpPlatform.Engine.Tests;

public sealed class NpiTests
{
    [Theory]
    [InlineData("123456789", 3)]
    [InlineData("155859879", 7)]
    [InlineData("152806083", 7)]
    public void Check_digit_follows_the_cms_rule(string body, int expected) => Assert.Equal(expected, Npi.CheckDigit(body));

    [Theory]
    [InlineData("1234567893", true)]
    [InlineData("1234567890", false)]
    [InlineData("3234567893", false)]
    [InlineData("123456789", false)]
    [InlineData("12345678a3", false)]
    [InlineData(null, false)]
    public void Validates(string? npi, bool valid) => Assert.Equal(valid, Npi.IsValid(npi));

    [Fact]
    public void Slots_map_to_distinct_valid_npis()
    {
        var npis = Enumerable.Range(0, 50_000).Select(i => Npi.ForSlot(42, i)).ToList();
        Assert.All(npis, n => Assert.True(Npi.IsValid(n)));
        Assert.Equal(npis.Count, npis.Distinct().Count());
        Assert.All(npis, n => Assert.Equal('1', n[0])); // an individual's NPI (type 1)
    }
}

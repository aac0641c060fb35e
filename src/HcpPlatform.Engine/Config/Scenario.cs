namespace HcpPlatform.Engine.Config;

/// <summary>A named scale preset (seeds/003, sized per DESIGN.md).</summary>
public sealed record Scenario(string Name, int Hcps, int Months, string Description)
{
    public const int MaxHcps = 1_000_000;
    public const int MaxMonths = 120;

    public static readonly Scenario Demo = new("demo", 200, 3, "A quick look: ~200 HCPs, 3 months.");
    public static readonly Scenario Development = new("development", 2_000, 12, "The seeds/000 targets: 2,000 HCPs, 12 months.");
    public static readonly Scenario Analytics = new("analytics", 20_000, 12, "Analytics scale: 20,000 HCPs, 12 months.");
    public static readonly Scenario LoadTest = new("load_test", 100_000, 12, "Load-test scale: 100,000 HCPs, 12 months.");

    public static readonly IReadOnlyList<Scenario> All = [Demo, Development, Analytics, LoadTest];

    public static Scenario? Find(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public static string AllowedNames => string.Join("|", All.Select(s => s.Name));
}

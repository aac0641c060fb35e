namespace HcpPlatform.ValidationService;

/// <summary>The resolved connection string (ConnectionStrings:hcpdb, or the embedded server's).</summary>
public sealed record ValidationDatabase(string ConnectionString);

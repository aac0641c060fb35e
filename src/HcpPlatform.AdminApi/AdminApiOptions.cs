using HcpPlatform.Data.Security;

namespace HcpPlatform.AdminApi;

/// <summary>The "AdminApi" configuration section.</summary>
public sealed class AdminApiOptions
{
    public const string Section = "AdminApi";

    /// <summary>
    /// Optional: one more admin key taken from configuration (environment AdminApi__BootstrapKey), for local use before
    /// any key exists in the database. At least <see cref="ApiKeySecret.MinConfiguredKeyLength"/> characters. Empty: none
    /// (the normal way to make the first admin key is <c>hcp keys create --name NAME --scope admin</c>).
    /// </summary>
    public string? BootstrapKey { get; set; }

    public RateLimitSettings RateLimit { get; set; } = new();

    /// <summary>Largest request body accepted (Kestrel's MaxRequestBodySize); larger requests get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How long the in-memory copy of platform.api_keys is trusted; a key revoked elsewhere is refused within this time.</summary>
    public double KeyCacheSeconds { get; set; } = 2;

    public IEnumerable<string> Validate()
    {
        if (!string.IsNullOrEmpty(BootstrapKey) && BootstrapKey.Length < ApiKeySecret.MinConfiguredKeyLength)
        {
            yield return $"AdminApi:BootstrapKey must have at least {ApiKeySecret.MinConfiguredKeyLength} characters (or be empty).";
        }
        if (RateLimit.PermitLimit < 1 || RateLimit.WindowSeconds <= 0)
        {
            yield return "AdminApi:RateLimit needs PermitLimit ≥ 1 and WindowSeconds > 0.";
        }
        if (MaxRequestBodyBytes < 1024)
        {
            yield return "AdminApi:MaxRequestBodyBytes must be at least 1024.";
        }
        if (KeyCacheSeconds < 0 || KeyCacheSeconds > 300)
        {
            yield return "AdminApi:KeyCacheSeconds must be between 0 and 300.";
        }
    }
}

/// <summary>Requests per key (or per client address, for calls without a valid key) in a fixed window.</summary>
public sealed class RateLimitSettings
{
    public int PermitLimit { get; set; } = 600;
    public double WindowSeconds { get; set; } = 60;
}

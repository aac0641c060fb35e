namespace HcpPlatform.Data.Platform;

/// <summary>User input quoted back in a message: cut to a length a message can carry, so a huge input is not echoed whole.</summary>
public static class InputEcho
{
    /// <summary>The longest echo, in characters, before it is cut and marked with an ellipsis.</summary>
    public const int MaxLength = 60;

    public static string Of(string? text) => text is null ? "" : text.Length > MaxLength ? string.Concat(text.AsSpan(0, MaxLength), "…") : text;
}

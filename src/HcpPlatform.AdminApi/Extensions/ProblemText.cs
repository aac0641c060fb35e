using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace HcpPlatform.AdminApi.Extensions;

/// <summary>
/// The last word on what a problem says, applied to every ProblemDetails the API writes: no .NET type names (a framework
/// message that slipped through says "a value" where it named List`1[…] or System.Double), and every text bounded, so
/// no input is ever echoed whole whatever path it took.
/// </summary>
internal static partial class ProblemText
{
    /// <summary>The longest title, detail or error message.</summary>
    public const int MaxMessage = 400;

    /// <summary>The longest error field name (a field is named after the input when it is unknown).</summary>
    public const int MaxField = 60;

    public static void Apply(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Title = problem.Title is null ? null : Clean(problem.Title);
        problem.Detail = problem.Detail is null ? null : Clean(problem.Detail);
        if (problem is HttpValidationProblemDetails validation && validation.Errors.Count > 0)
        {
            var errors = validation.Errors.ToDictionary(e => Cut(Clean(e.Key), MaxField), e => e.Value.Select(Clean).ToArray(), StringComparer.Ordinal);
            validation.Errors.Clear();
            foreach (var (field, messages) in errors)
            {
                validation.Errors[field] = messages;
            }
        }
    }

    /// <summary>A message with type names replaced and its length bounded.</summary>
    public static string Clean(string text) => Cut(TypeName().Replace(text, "a value"), MaxMessage);

    private static string Cut(string text, int max) => text.Length > max ? string.Concat(text.AsSpan(0, max), "…") : text;

    /// <summary>Namespaced names (with generic arity and arguments), Nullable&lt;…&gt;, and request records.</summary>
    [GeneratedRegex(@"\b(System|Microsoft|HcpPlatform)(\.[\w`]+)+(\[[^\]]*\]*\]?)?|\b\w+`\d+(\[[^\]]*\]*\]?)?|Nullable<\w+>|\b[A-Z]\w*Request\b")]
    private static partial Regex TypeName();
}

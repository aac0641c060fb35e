using Microsoft.AspNetCore.Http.HttpResults;

namespace HcpPlatform.AdminApi.Apis;

/// <summary>Collects what is wrong with a request, field by field, into one 400 ValidationProblem.</summary>
internal sealed class RequestErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public RequestErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
        return this;
    }

    /// <summary>The 400 answer: every problem under its field, and all of them in the detail.</summary>
    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal),
        detail: string.Join(" ", _errors.SelectMany(e => e.Value)),
        title: "The request is not valid");

    public static ValidationProblem One(string field, string message) => new RequestErrors().Add(field, message).ToProblem();
}

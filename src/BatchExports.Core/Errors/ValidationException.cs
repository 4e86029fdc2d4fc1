namespace BatchExports.Core.Errors;

/// <summary>The input breaks a rule. <see cref="Attr"/> names the field (DRF's <c>attr</c>), <see cref="Code"/> the rule.</summary>
public sealed class ValidationException(string detail, string? attr = null, string code = ValidationException.InvalidInput)
    : DomainException(detail)
{
    public const string InvalidInput = "invalid_input";

    public string? Attr { get; } = attr;

    /// <summary>PostHog rewrites DRF's code <c>invalid</c> to <c>invalid_input</c>.</summary>
    public string Code { get; } = code == "invalid" ? InvalidInput : code;
}

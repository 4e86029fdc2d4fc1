namespace BatchExports.Core.Errors;

/// <summary>The addressed object does not exist, or is not visible to the caller (the two are not told apart).</summary>
public sealed class NotFoundException(string detail = NotFoundException.DefaultDetail) : DomainException(detail)
{
    public const string DefaultDetail = "Not found.";
}

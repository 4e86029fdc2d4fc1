namespace BatchExports.Core.Domain.Schemas;

/// <summary>The outcome of parsing a <c>hogql_query</c>: the schema, or PostHog's message for why it is not one.</summary>
public sealed record HogQLParse(CustomSchema? Schema, string? Error)
{
    public static HogQLParse Of(string query)
    {
        try
        {
            return new HogQLParse(HogQLSelectParser.Parse(query), null);
        }
        catch (HogQLQueryException exception)
        {
            return new HogQLParse(null, exception.Message);
        }
    }
}

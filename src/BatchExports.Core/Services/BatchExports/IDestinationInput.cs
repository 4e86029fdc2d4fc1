using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Destinations;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>The <c>destination</c> of a batch-export write, as the use cases read it.</summary>
public interface IDestinationInput
{
    string? Type { get; }

    JsonObject? Config { get; }

    bool Has(string wireName);

    /// <summary>
    /// <see cref="DestinationConfigRules.CheckShape"/> of <see cref="Config"/>, checked once per request (the request
    /// validator reports the error, the save rules merge the cast config).
    /// </summary>
    (JsonObject Config, string? Error) CheckShape(IDestinationDefinition definition, bool partial);
}

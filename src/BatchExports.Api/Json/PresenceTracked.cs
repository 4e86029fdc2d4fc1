namespace BatchExports.Api.Json;

/// <summary>
/// A request body that needs to tell "sent as null" from "not sent" (PATCH semantics, PostHog's
/// offset rules). The JSON input formatter records which keys the object carried.
/// </summary>
public abstract record PresenceTracked
{
    private IReadOnlySet<string> _present = new HashSet<string>();

    public bool Has(string wireName) => _present.Contains(wireName);

    public void SetPresentFields(IReadOnlySet<string> wireNames) => _present = wireNames;
}

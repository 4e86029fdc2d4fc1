namespace BatchExports.Api.Auth;

/// <summary>
/// The personal API key scope an action needs (PostHog's <c>required_scopes</c>). An action without one refuses
/// scoped keys with "This action does not support Personal API Key access", as PostHog does.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
public sealed class RequiredScopeAttribute(string scope) : Attribute
{
    /// <summary>Any valid key may call: discovery endpoints only reveal what the key can already reach.</summary>
    public const string AnyScope = "";

    public const string Read = "batch_export:read";
    public const string Write = "batch_export:write";

    /// <summary>App metrics are PostHog's plugin metrics, scoped as such.</summary>
    public const string PluginRead = "plugin:read";

    public string Scope { get; } = scope;
}

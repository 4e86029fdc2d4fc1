using System.Security.Cryptography;
using System.Text;

namespace BatchExports.Core.Security;

/// <summary>Personal API keys: <c>phx_</c> + 256 random bits; stored only as <c>sha256$&lt;hex&gt;</c>.</summary>
public static class PersonalApiKeys
{
    public const string Prefix = "phx_";

    public const string ScopeRead = "batch_export:read";
    public const string ScopeWrite = "batch_export:write";
    public const string ScopeAll = "*";

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>43 base62 characters carry 256 bits (62^43 &gt; 2^256).</summary>
    public static string Generate()
    {
        var builder = new StringBuilder(Prefix, Prefix.Length + 43);
        for (var i = 0; i < 43; i++)
        {
            builder.Append(Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    public static string Hash(string key) =>
        "sha256$" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string Mask(string key) =>
        key.Length <= 8 ? Prefix + "..." : key[..4] + "..." + key[^4..];

    /// <summary>PostHog's rule: no scopes (legacy key) or <c>*</c> allows everything; <c>:write</c> implies <c>:read</c>.</summary>
    public static bool Allows(IReadOnlyCollection<string> keyScopes, string requiredScope)
    {
        if (keyScopes.Count == 0 || keyScopes.Contains(ScopeAll) || keyScopes.Contains(requiredScope))
        {
            return true;
        }

        return requiredScope.EndsWith(":read", StringComparison.Ordinal)
            && keyScopes.Contains(requiredScope[..^":read".Length] + ":write");
    }
}

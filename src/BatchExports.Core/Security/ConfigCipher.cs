using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace BatchExports.Core.Security;

/// <summary>
/// Encrypts destination configs at rest with AES-256-GCM. The destination id is bound in as associated
/// data, so a ciphertext copied onto another row does not decrypt.
/// Layout: version (1) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class ConfigCipher
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    public ConfigCipher(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The encryption key must be 32 bytes (256 bits).", nameof(key));
        }

        _key = key;
    }

    public byte[] Encrypt(JsonObject config, Guid destinationId)
    {
        var plaintext = Encoding.UTF8.GetBytes(config.ToJsonString());
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize), destinationId.ToByteArray());
        return output;
    }

    public JsonObject Decrypt(byte[] ciphertext, Guid destinationId)
    {
        if (ciphertext.Length < 1 + NonceSize + TagSize || ciphertext[0] != Version)
        {
            throw new CryptographicException("Unrecognised destination config ciphertext.");
        }

        var plaintext = new byte[ciphertext.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(
            ciphertext.AsSpan(1, NonceSize),
            ciphertext.AsSpan(1 + NonceSize + TagSize),
            ciphertext.AsSpan(1 + NonceSize, TagSize),
            plaintext,
            destinationId.ToByteArray());
        return JsonNode.Parse(plaintext)!.AsObject();
    }
}

using System.Security.Cryptography;

namespace BatchExports.Core.Security;

public static class EncryptionKeys
{
    /// <summary>
    /// The configured key (base64 of 32 bytes), or a development key kept in <c>encryption.key</c> under the data
    /// directory, generated on first run. Lose that file and stored destination configs cannot be read.
    /// </summary>
    public static byte[] LoadOrCreate(string? configuredBase64, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configuredBase64))
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(configuredBase64.Trim());
            }
            catch (FormatException)
            {
                throw new InvalidOperationException("BatchExports:EncryptionKey must be base64 of 32 random bytes.");
            }

            return key.Length == 32 ? key : throw new InvalidOperationException("BatchExports:EncryptionKey must decode to exactly 32 bytes.");
        }

        var path = Path.Combine(dataDirectory, "encryption.key");
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(dataDirectory);
        var generated = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(path, Convert.ToBase64String(generated) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return generated;
    }
}

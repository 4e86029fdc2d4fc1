using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BatchExports.Pipeline.Destinations.S3;

namespace BatchExports.Testing;

/// <summary>
/// A real S3-compatible server on loopback for every test that touches S3: s3rver (npm, pinned in
/// <c>tests/s3server/package.json</c>) started through <c>tests/s3server/server.js</c>, which adds SigV4 signature
/// checks, AbortMultipartUpload, ListMultipartUploads and per-bucket fault injection. One server per test process,
/// on a free port, storing into a temporary directory; each test makes its own bucket.
/// </summary>
public sealed class S3TestServer
{
    /// <summary>s3rver's built-in account.</summary>
    public const string DefaultAccessKeyId = "S3RVER";

    public const string DefaultSecretAccessKey = "S3RVER";

    public const string DefaultRegion = "us-east-1";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private static S3TestServer? _instance;

    private S3TestServer(string endpoint, string dataDirectory)
    {
        Endpoint = endpoint;
        DataDirectory = dataDirectory;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public string Endpoint { get; }

    public string DataDirectory { get; }

    public string AccessKeyId => DefaultAccessKeyId;

    public string SecretAccessKey => DefaultSecretAccessKey;

    public string Region => DefaultRegion;

    public static async Task<S3TestServer> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _instance ??= await StartAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Destination settings that point at this server.</summary>
    public S3Settings Settings(string bucketName, string prefix = "") => new()
    {
        BucketName = bucketName,
        Region = Region,
        Prefix = prefix,
        AwsAccessKeyId = AccessKeyId,
        AwsSecretAccessKey = SecretAccessKey,
        EndpointUrl = Endpoint,
    };

    /// <summary>A client for checking what the code under test wrote; configured here, not by the production factory.</summary>
    public IAmazonS3 CreateClient() => new AmazonS3Client(
        new BasicAWSCredentials(AccessKeyId, SecretAccessKey),
        new AmazonS3Config
        {
            ServiceURL = Endpoint,
            AuthenticationRegion = Region,
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
        });

    /// <summary>Creates a bucket; with no name, a fresh unique one. Returns its name.</summary>
    public async Task<string> CreateBucketAsync(string? name = null)
    {
        name ??= UniqueBucketName();
        using var client = CreateClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = name });
        return name;
    }

    /// <summary>A valid bucket name no other test uses.</summary>
    public static string UniqueBucketName(string hint = "test") =>
        $"{new string(hint.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray())}-{Guid.NewGuid():N}";

    public async Task<IReadOnlyList<string>> ListKeysAsync(string bucketName, string? prefix = null)
    {
        using var client = CreateClient();
        var keys = new List<string>();
        string? token = null;
        do
        {
            var response = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucketName, Prefix = prefix, ContinuationToken = token });
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key));
            token = response.IsTruncated == true ? response.NextContinuationToken : null;
        }
        while (token is not null);

        return keys;
    }

    public async Task<byte[]> ReadObjectAsync(string bucketName, string key)
    {
        using var client = CreateClient();
        using var response = await client.GetObjectAsync(bucketName, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Keys of the multipart uploads started and neither completed nor aborted.</summary>
    public async Task<IReadOnlyList<string>> ListMultipartUploadKeysAsync(string bucketName)
    {
        using var client = CreateClient();
        var response = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucketName });
        return (response.MultipartUploads ?? []).Select(u => u.Key).ToList();
    }

    /// <summary>
    /// Makes the next <paramref name="count"/> <paramref name="operation"/> requests (PutObject, UploadPart,
    /// CreateMultipartUpload, CompleteMultipartUpload, AbortMultipartUpload) to the bucket fail with the S3 error
    /// <paramref name="code"/> (e.g. RequestTimeout, InternalError, SlowDown).
    /// </summary>
    public async Task InjectFaultAsync(string bucketName, string operation, string code, int count = 1)
    {
        using var response = await Http.PostAsJsonAsync(
            $"{Endpoint}/_faults",
            new { bucket = bucketName, operation, code, count });
        response.EnsureSuccessStatusCode();
    }

    private static async Task<S3TestServer> StartAsync()
    {
        var serverDirectory = Path.Combine(FindRepositoryRoot(), "tests", "s3server");
        await EnsureInstalledAsync(serverDirectory);

        var dataDirectory = Path.Combine(Path.GetTempPath(), $"bxs3-{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(dataDirectory);
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = serverDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(serverDirectory, "server.js"), "--directory", dataDirectory, "--address", "127.0.0.1", "--port", "0" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = StartProcess(startInfo, "Node.js is needed for the S3 test server (scripts/test installs it)");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                if (e.Data is not null && stderr.Length < 20_000)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        var stopping = false;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            if (!stopping)
            {
                Console.Error.WriteLine($"The S3 test server exited unexpectedly ({process.ExitCode}).\n{Snapshot(stderr)}");
            }
        };

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            stopping = true;
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5_000);
            }
            catch (InvalidOperationException)
            {
            }

            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };

        // server.js prints {"address": ..., "port": ...} once it listens; it picked the free port itself.
        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(startup.Token);
        }
        catch (OperationCanceledException)
        {
            line = null;
        }

        if (line is null)
        {
            throw new InvalidOperationException($"The S3 test server did not start.\n{Snapshot(stderr)}");
        }

        _ = process.StandardOutput.ReadToEndAsync();
        var port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();
        var endpoint = $"http://127.0.0.1:{port}";

        // Anonymous ListBuckets: any answer means the HTTP stack is up.
        using var probe = await Http.GetAsync(endpoint + "/");
        return new S3TestServer(endpoint, dataDirectory);
    }

    private static async Task EnsureInstalledAsync(string serverDirectory)
    {
        var marker = Path.Combine(serverDirectory, "node_modules", ".bin", "s3rver");
        if (File.Exists(marker))
        {
            return;
        }

        // Test projects run in parallel processes; only one of them may run npm ci at a time.
        var lockPath = Path.Combine(Path.GetTempPath(), "batchexports-s3server-install.lock");
        await using var installLock = await AcquireFileLockAsync(lockPath, TimeSpan.FromMinutes(10));
        if (File.Exists(marker))
        {
            return;
        }

        var startInfo = new ProcessStartInfo("npm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "ci", "--prefix", serverDirectory, "--no-audit", "--no-fund" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var npm = StartProcess(startInfo, "npm is needed to install the S3 test server (scripts/test installs Node.js)");
        var output = npm.StandardOutput.ReadToEndAsync();
        var errors = npm.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await npm.WaitForExitAsync(timeout.Token);
        if (npm.ExitCode != 0 || !File.Exists(marker))
        {
            throw new InvalidOperationException($"npm ci --prefix {serverDirectory} failed ({npm.ExitCode}).\n{await output}\n{await errors}");
        }
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }

    private static Process StartProcess(ProcessStartInfo startInfo, string whenMissing)
    {
        try
        {
            return Process.Start(startInfo) ?? throw new InvalidOperationException(whenMissing);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{whenMissing}: {e.Message}", e);
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BatchExports.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No BatchExports.sln above {AppContext.BaseDirectory}.");
    }

    private static string Snapshot(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}

using Temporalio.Client;

namespace BatchExports.Temporal;

/// <summary>How <see cref="TemporalOptions"/> become the client's connection options; one place for both hosts.</summary>
public static class TemporalConnection
{
    public static void Apply(TemporalClientConnectOptions connect, TemporalOptions options)
    {
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(options);
        connect.TargetHost = options.Address;
        connect.Namespace = options.Namespace;
        if (!string.IsNullOrWhiteSpace(options.ApiKey))
        {
            // The SDK sends it as a bearer token and turns TLS on by itself when Tls is null.
            connect.ApiKey = options.ApiKey;
        }

        var mtls = !string.IsNullOrWhiteSpace(options.TlsClientCertPath) && !string.IsNullOrWhiteSpace(options.TlsClientKeyPath);
        if (options.Tls || mtls || !string.IsNullOrWhiteSpace(options.TlsServerCaPath))
        {
            connect.Tls = new TlsOptions
            {
                ClientCert = mtls ? File.ReadAllBytes(options.TlsClientCertPath!) : null,
                ClientPrivateKey = mtls ? File.ReadAllBytes(options.TlsClientKeyPath!) : null,
                ServerRootCACert = string.IsNullOrWhiteSpace(options.TlsServerCaPath) ? null : File.ReadAllBytes(options.TlsServerCaPath),
                Domain = options.TlsDomain,
            };
        }
    }
}

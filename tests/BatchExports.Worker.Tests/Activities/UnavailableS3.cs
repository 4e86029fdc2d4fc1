using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BatchExports.Worker.Tests.Activities;

/// <summary>
/// An S3 endpoint that is up but unable to serve: every request gets 503 Service Unavailable, what S3 answers while
/// overloaded — the transient failure a run must come back from (a refused connection to a user's own endpoint is
/// deliberately a user error, see S3ErrorClassifier).
/// </summary>
public sealed class UnavailableS3 : IAsyncDisposable
{
    private static readonly byte[] Response = Encoding.ASCII.GetBytes(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nConnection: close\r\nContent-Length: 98\r\n\r\n"
        + "<Error><Code>ServiceUnavailable</Code><Message>Please reduce your request rate.</Message></Error>\n");

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private UnavailableS3()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _serving = ServeAsync(_stop.Token);
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public static UnavailableS3 Start() => new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = AnswerAsync(client, cancellationToken);
        }
    }

    private static async Task AnswerAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                // Read the request head (the body, if any, is not needed to refuse it).
                var buffer = new byte[16 * 1024];
                var head = new StringBuilder();
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, cancellationToken);
                    if (read == 0)
                    {
                        return;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                await stream.WriteAsync(Response, cancellationToken);
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
            {
                // The client gave up first; nothing to answer.
            }
        }
    }
}

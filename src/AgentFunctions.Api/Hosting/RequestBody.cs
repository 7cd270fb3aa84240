using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Host.Hosting;

/// <summary>Reads a request body whole, up to a limit, so handlers can answer 413 themselves and sign raw bytes.</summary>
internal static class RequestBody
{
    /// <summary>The body, or null when it exceeds <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public static IResult TooLarge(int limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body exceeds {limit} bytes (AgentFunctions:Http:MaxRequestBodyBytes).");
}
